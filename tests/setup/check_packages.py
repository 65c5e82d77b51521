#!/usr/bin/env python3
"""Every file the build or the tests found on this machine must come from a package that
scripts/setup.sh installs, or from what those packages depend on (Depends / Pre-Depends, never
Recommends: setup installs with --no-install-recommends), or from the minimal base system.

A file found only because something else happened to be installed here (a "Recommends" of
another package, a tool installed by hand) is what breaks a fresh machine; this names it.

  check_packages.py --list scripts/debian-packages.txt --cache build/CMakeCache.txt \
      --ignore SRC_DIR --ignore BUILD_DIR [--path FILE ...]
"""
import argparse
import os
import re
import subprocess
import sys


def read_list(path):
    names = []
    for line in open(path, encoding="utf-8"):
        names += line.split("#", 1)[0].split()
    return names


def installed_packages():
    """name -> (depends, provides, priority, essential) of every installed package."""
    fmt = "${Package}\\t${Status}\\t${Pre-Depends}\\t${Depends}\\t${Provides}\\t${Priority}\\t${Essential}\\n"
    out = subprocess.run(["dpkg-query", "-W", "-f=" + fmt], capture_output=True, text=True, check=True).stdout
    pkgs = {}
    for line in out.splitlines():
        name, status, pre, dep, prov, prio, ess = (line.split("\t") + [""] * 7)[:7]
        if not status.endswith("installed") or " not-installed" in status or "config-files" in status:
            continue
        pkgs[name] = (", ".join(x for x in (pre, dep) if x), prov, prio, ess == "yes")
    return pkgs


def bare(name):
    return re.sub(r"\s*\(.*?\)|:\w+|\s*\[.*?\]", "", name).strip()


def closure(roots, pkgs):
    """Packages a --no-install-recommends install of `roots` guarantees (installed ones only)."""
    providers = {}
    for name, (_, prov, _, _) in pkgs.items():
        for p in prov.split(","):
            if p.strip():
                providers.setdefault(bare(p), []).append(name)

    def resolve(alternatives):
        for alt in alternatives:  # apt takes the first alternative it can satisfy
            a = bare(alt)
            if a in pkgs:
                return [a]
            if a in providers:
                return providers[a][:1]
        return []

    seen, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        if name in seen or name not in pkgs:
            continue
        seen.add(name)
        for group in pkgs[name][0].split(","):
            if group.strip():
                todo += resolve(group.split("|"))
    return seen


def owners(path):
    """The packages that ship `path`, following symlinks one step at a time (alternatives)."""
    for _ in range(10):
        for candidate in {path, path.replace("/usr/lib/", "/lib/", 1), path.replace("/lib/", "/usr/lib/", 1)}:
            r = subprocess.run(["dpkg-query", "-S", candidate], capture_output=True, text=True)
            if r.returncode == 0:
                for line in r.stdout.splitlines():
                    names, owned = line.rsplit(": ", 1)
                    if owned == candidate:  # a shared directory has several owners
                        return [n.split(":")[0].strip() for n in names.split(",")]
        if not os.path.islink(path):
            return None
        path = os.path.normpath(os.path.join(os.path.dirname(path), os.readlink(path)))
    return None


def cache_paths(cache, ignore):
    """Absolute paths that CMake's find_* calls stored in the cache (files and config dirs)."""
    paths = []
    for line in open(cache, encoding="utf-8", errors="replace"):
        m = re.match(r"^([A-Za-z0-9_.+-]+):(FILEPATH|PATH|STRING|INTERNAL)=(.*)$", line.strip())
        if not m or m.group(2) == "INTERNAL" or m.group(1).startswith("CMAKE_INSTALL"):
            continue
        for value in m.group(3).split(";"):
            if value.startswith("/") and os.path.exists(value) and value not in ("/usr", "/usr/local", "/"):
                if not any(value == d or value.startswith(d + "/") for d in ignore):
                    paths.append((m.group(1), value))
    return paths


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--list", required=True)
    ap.add_argument("--cache", required=True)
    ap.add_argument("--ignore", action="append", default=[])
    ap.add_argument("--path", action="append", default=[], help="a file the tests use, e.g. a tool")
    ap.add_argument("--optional", action="append", default=[], help="a cache variable the build does without")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    pkgs = installed_packages()
    listed = read_list(args.list)
    not_installed = [p for p in listed if p not in pkgs and p not in ("nodejs", "npm")]
    base = [n for n, (_, _, prio, ess) in pkgs.items() if ess or prio == "required"]
    allowed = closure(listed + base, pkgs)

    ignore = [os.path.realpath(d) for d in args.ignore] + args.ignore
    found = cache_paths(args.cache, ignore) + [("used by the tests", p) for p in args.path]
    failures = [f"setup: '{p}' is in {args.list} but not installed" for p in not_installed]
    checked = 0
    for var, path in found:
        if var in args.optional:
            continue
        pkgs_of = owners(path)
        if args.verbose:
            print(f"{var}: {path} <- {pkgs_of}")
        checked += 1
        if pkgs_of is None:
            failures.append(f"setup: '{path}' ({var}) comes from no Debian package: a fresh machine lacks it")
        elif not any(p in allowed for p in pkgs_of):
            failures.append(f"setup: '{path}' ({var}) comes from package '{pkgs_of[0]}', which {args.list} "
                            "neither lists nor depends on (a Recommends, or installed by hand?)")
    for f in failures:
        print(f)
    print(f"setup: {checked} paths found by CMake and the tests checked against "
          f"{len(listed)} listed packages ({len(allowed)} with their dependencies)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
