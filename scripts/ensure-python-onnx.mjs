// The compile tests of @offramp/onnx run the official ONNX checker (packages/onnx/scripts/check-onnx.py)
// with Debian's Python. On a fresh Debian machine `onnx` is not there yet: install python3-onnx with apt
// (as root, or through sudo). About 11 MB of packages (python3-onnx, numpy, protobuf, BLAS); some 10 s.
import { spawnSync } from 'node:child_process';
import { aptInstall } from './apt-install.mjs';

export const pythonPath = process.env.OFFRAMP_PYTHON ?? '/usr/bin/python3';

const hasOnnx = () => spawnSync(pythonPath, ['-c', 'import onnx'], { stdio: 'ignore' }).status === 0;

export function ensurePythonOnnx() {
  if (hasOnnx()) return true;
  console.log(`${pythonPath} cannot import onnx: installing Debian's python3-onnx with apt-get`);
  if (!aptInstall(['python3-onnx']) || !hasOnnx()) {
    console.log('could not install python3-onnx (run: apt-get install -y python3-onnx); the checker test will fail');
    return false;
  }
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) ensurePythonOnnx();
