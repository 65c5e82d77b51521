"""TorchScript files hfexport writes are real TorchScript archives for PyTorch users.

Exports a BERT, a GPT-2 with past and a T5 golden fixture with
`hfexport export --format torchscript`, loads each .pt with torch.jit.load in
PyTorch (Debian's python3-torch), runs it on the fixture's inputs and compares
with the outputs Hugging Face transformers computed. Then runs each module at
another batch and sequence size, which a traced module cannot do.

usage: /usr/bin/python3 python_check.py HFEXPORT FIXTURES_DIR
"""
import json
import struct
import subprocess
import sys
import tempfile

import torch

CASES = ["bert/question-answering", "gpt2/causal-lm-with-past", "t5/seq2seq-lm"]
ATOL = 1e-4
DTYPES = {"F32": torch.float32, "I64": torch.int64, "I32": torch.int32, "BOOL": torch.bool}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + header_len])
    body = data[8 + header_len :]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = bytearray(body[begin:end])
        t = torch.frombuffer(raw, dtype=DTYPES[info["dtype"]]) if raw else torch.empty(0, dtype=DTYPES[info["dtype"]])
        tensors[name] = t.reshape(info["shape"])
    return tensors


def check(hfexport, fixtures, case, out_dir):
    model_dir = f"{fixtures}/{case}"
    feature = case.split("/")[1]
    subprocess.run([hfexport, "export", "--model", model_dir, "--feature", feature, "--format", "torchscript",
                    "--no-validate", out_dir], check=True, stdout=subprocess.DEVNULL)
    extra = {"hfexport.json": ""}
    module = torch.jit.load(f"{out_dir}/model.pt", _extra_files=extra)
    module.eval()
    meta = json.loads(extra["hfexport.json"])
    golden = read_safetensors(f"{model_dir}/golden.safetensors")
    ok = True
    with torch.no_grad():
        outputs = module(*[golden[name] for name in meta["inputs"]])
    assert isinstance(outputs, tuple), f"{case}: forward returned {type(outputs)}, not a tuple"
    worst = 0.0
    for name, got in zip(meta["outputs"], outputs):
        if name not in golden:
            continue
        ref = golden[name]
        if got.shape != ref.shape:
            print(f"FAIL {case}: {name} shape {tuple(got.shape)} != {tuple(ref.shape)}")
            ok = False
            continue
        diff = (got - ref).abs().max().item() if got.numel() else 0.0
        worst = max(worst, diff)
        if diff > ATOL:
            print(f"FAIL {case}: {name} max |diff| {diff:.3g} > {ATOL}")
            ok = False
    # The tuple is positional, so it must come in transformers' order (logits first).
    with open(f"{model_dir}/golden.json") as f:
        hf_order = [o["name"] for o in json.load(f)["outputs"]]
    ours = [n for n in meta["outputs"] if n in hf_order]
    if ours != [n for n in hf_order if n in ours]:
        print(f"FAIL {case}: outputs in the order {ours}, transformers returns {hf_order}")
        ok = False
    weights = [k for k in module.state_dict() if k.endswith(".weight")]
    if not weights:
        print(f"FAIL {case}: no weights under Hugging Face names in state_dict()")
        ok = False
    print(f"{'ok' if ok else 'FAIL'} {case}: torch.jit.load + forward match the fixture, "
          f"max |diff| {worst:.3g} ({len(module.state_dict())} tensors, e.g. {weights[0] if weights else '-'})")

    # Another batch size and two more positions (past stays as the fixture has it).
    with torch.no_grad():
        other = []
        for name in meta["inputs"]:
            t = golden[name]
            is_past = name.startswith("past_key_values")
            t = torch.cat([t, t[:1]], dim=0)
            grow = 0 if is_past or t.dtype == torch.float32 else 2
            if name == "position_ids":
                t = torch.cat([t, t[:, -1:] + 1, t[:, -1:] + 2], dim=1)
            elif grow:
                t = torch.cat([t, t[:, -1:].expand(-1, grow)], dim=1)
            other.append(t)
        resized_outputs = module(*other)
    first = resized_outputs[0]
    if first.shape[0] != 3:
        print(f"FAIL {case}: at batch 3 the first output has shape {tuple(first.shape)}")
        ok = False
    else:
        print(f"ok {case}: runs at batch 3 with 2 more positions: {meta['outputs'][0]} {tuple(first.shape)}")
    return ok


def main():
    hfexport, fixtures = sys.argv[1], sys.argv[2]
    print(f"torch {torch.__version__}")
    ok = True
    for case in CASES:
        with tempfile.TemporaryDirectory() as out_dir:
            try:
                ok &= check(hfexport, fixtures, case, out_dir)
            except Exception as e:  # report and go on with the other cases
                print(f"FAIL {case}: {type(e).__name__}: {e}")
                ok = False
    print("all passed" if ok else "some failed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
