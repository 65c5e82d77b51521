# Cross-check by hand (needs Python's huggingface_hub, e.g. the oracle's 0.23.4):
#   /work/shared/oracle/run tests/hub/make_expected_layout.py build/tests/hub/hfx_fake_hub OUT.txt
# starts the fake hub, lets huggingface_hub's snapshot_download fetch what an export of
# org/tiny-bert needs into an empty cache, and writes the cache as text (path, symlink target or
# the file's bytes' length and start), the form hub_test.cpp's layout dump compares with.
import os, subprocess, sys, tempfile

server = subprocess.Popen([sys.argv[1]], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
endpoint = server.stdout.readline().strip()
cache = tempfile.mkdtemp()
os.environ.update(HF_HUB_OFFLINE="0", HF_ENDPOINT=endpoint, HF_HUB_CACHE=cache, HF_HUB_DISABLE_TELEMETRY="1")
from huggingface_hub import snapshot_download  # noqa: E402  (reads the environment on import)

snapshot_download("org/tiny-bert", allow_patterns=["config.json", "model.safetensors", "generation_config.json",
                                                   "vocab.txt", "tokenizer_config.json"])
server.stdin.close()
server.wait()

lines = []
for root, dirs, files in os.walk(cache):
    for name in sorted(dirs + files):
        p = os.path.join(root, name)
        rel = os.path.relpath(p, cache)
        if os.path.islink(p):
            lines.append(f"{rel} -> {os.readlink(p)}")
        elif os.path.isdir(p):
            lines.append(f"{rel}/")
        else:
            data = open(p, "rb").read()
            lines.append(f"{rel} {len(data)} {data[:16].hex()}")
open(sys.argv[2], "w").write("\n".join(sorted(lines)) + "\n")
