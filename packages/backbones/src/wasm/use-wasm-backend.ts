import { ArgumentError, loadPeer } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import { registerWasmConv2DBackpropFilter } from './conv2d-backprop-filter.js';

/**
 * Makes the wasm backend the active tfjs backend, able to train convolutions: loads
 * @tensorflow/tfjs-backend-wasm (its .wasm binaries are found next to the package in Node),
 * registers the missing Conv2DBackpropFilter kernel and waits until the backend is ready.
 */
export async function useWasmBackend(): Promise<void> {
  await loadPeer('@tensorflow/tfjs-backend-wasm', 'npm i @tensorflow/tfjs-backend-wasm@^4.22.0', () => import('@tensorflow/tfjs-backend-wasm'));
  registerWasmConv2DBackpropFilter();
  const ok = await tf.setBackend('wasm');
  if (!ok) {
    throw new ArgumentError({
      field: 'backend',
      expected: "the 'wasm' backend to initialise",
      received: 'a failed initialisation',
    });
  }
  await tf.ready();
}
