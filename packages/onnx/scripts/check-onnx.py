#!/usr/bin/env python3
"""Runs the official ONNX checker (with full shape inference) on each model file given.

Usage: check-onnx.py MODEL.onnx [MODEL.onnx ...]
Prints one line per model ("ok <path>" or "error <path>: <message>") and exits 1 if any failed.
Needs the `onnx` Python package (Debian: apt-get install python3-onnx; use /usr/bin/python3).
"""
import sys

import onnx


def main(paths):
    failed = 0
    for path in paths:
        try:
            model = onnx.load(path)
            onnx.checker.check_model(model, full_check=True)
            print(f"ok {path} (onnx {onnx.__version__}, opset {model.opset_import[0].version})")
        except Exception as error:  # report every model, then fail
            failed += 1
            print(f"error {path}: {error}")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1:]))
