import assert from 'node:assert/strict';
import { asSentence, describeError, tooLongTokenCount, UserError } from '../../src/extension/errorReport';
import { EngineError } from '../../src/shared/errors';

describe('extension: error classification', () => {
  it('engine codes a person can act on are user errors with the engine message', () => {
    const d = describeError(new EngineError('MODEL_NOT_FOUND', 'model folder not found: /x/no-such-model'));
    assert.deepEqual(d, { kind: 'user', code: 'MODEL_NOT_FOUND', message: 'Model folder not found: /x/no-such-model.', suggestsOtherModel: true });
    assert.equal(describeError(new EngineError('TOO_LONG', 'too long')).kind, 'user');
    assert.equal(describeError(new EngineError('EMPTY_INPUT', 'empty')).suggestsOtherModel, false);
  });

  it('cancellation is its own kind; crashes, runtime failures and plain errors are internal', () => {
    assert.equal(describeError(new EngineError('CANCELLED', 'the run was cancelled')).kind, 'cancelled');
    assert.equal(describeError(new EngineError('WORKER_CRASHED', 'the engine stopped')).kind, 'internal');
    assert.equal(describeError(new EngineError('RUNTIME', 'onnxruntime failed')).kind, 'internal');
    const plain = describeError(new TypeError('x is undefined\n    at foo (bar.js:1:1)'));
    assert.deepEqual(plain, { kind: 'internal', code: 'HOST', message: 'X is undefined.', suggestsOtherModel: false });
    assert.equal(describeError('a string').message, 'A string.');
  });

  it('host-side problems are user errors', () => {
    assert.equal(describeError(new UserError('Open a file first.')).kind, 'user');
    assert.equal(describeError(new UserError('Open a file first.')).message, 'Open a file first.');
  });

  it('reads the token count from the engine TOO_LONG message when it has one', () => {
    assert.equal(tooLongTokenCount('the input is 700 tokens but stories260K takes at most 512'), 700);
    assert.equal(tooLongTokenCount("the text is 40000 characters, far more than stories260K's 512 tokens"), undefined);
  });

  it('makes clauses into sentences', () => {
    assert.equal(asSentence('the text is empty'), 'The text is empty.');
    assert.equal(asSentence('Done!'), 'Done!');
    assert.equal(asSentence('  '), 'Something went wrong.');
    assert.equal(asSentence('offline (no network): using the copy'), 'Offline (no network): using the copy.');
    assert.equal(asSentence('test-org/none at revision main is not on http://hub'), 'test-org/none at revision main is not on http://hub.');
    assert.equal(asSentence('model.safetensors arrived damaged'), 'model.safetensors arrived damaged.');
    assert.equal(asSentence('gpt2 cannot run here'), 'gpt2 cannot run here.');
  });
});
