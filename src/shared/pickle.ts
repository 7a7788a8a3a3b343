/**
 * The one rule for PyTorch pickles, shared by the model loader and the hub client (which refuses them before
 * downloading): loading a pickle runs whatever code it carries, so such files are never opened. Kept apart
 * from the safetensors reader so the extension bundle, which only downloads, does not carry model readers.
 */
import { EngineError } from './errors';

/** PyTorch and other pickle-based checkpoint names that must never be loaded. */
const PICKLE_FILE = /^(pytorch_model.*\.bin|.*\.(pt|pth|ckpt|pkl))$/i;

export function pickleRefusal(dir: string, file: string): EngineError {
  return new EngineError(
    'UNSUPPORTED',
    `${file} in ${dir} is a PyTorch pickle: loading a pickle can run any code it contains, so it is never opened. ` +
      'Use the safetensors version of the model instead (model.safetensors: most hub models have one, others in a ' +
      '"refs/pr" conversion branch), or convert it yourself in Python with the `safetensors` package ' +
      '(safetensors.torch.save_file(torch.load(path), "model.safetensors")).',
  );
}

export function isPickleFileName(file: string): boolean {
  return PICKLE_FILE.test(file);
}
