import assert from 'node:assert/strict';
import path from 'node:path';
import { choiceName, describeOrigin, expandFolder, resolveModel } from '../../src/extension/modelResolver';
import { clampInteger, DEFAULT_SETTINGS, panelSettings, parseSettings } from '../../src/extension/settings';

const from = (values: Record<string, unknown>) => (key: string) => values[key];

describe('extension: settings', () => {
  it('reads valid values as they are', () => {
    const s = parseSettings(from({ modelFolder: ' /m ', model: ' gpt2 ', topK: 25, defaultView: 'heatmap', colorScheme: 'viridis' }));
    assert.deepEqual(s, { modelFolder: '/m', model: 'gpt2', topK: 25, defaultView: 'heatmap', colorScheme: 'viridis' });
    assert.deepEqual(panelSettings(s), { topK: 25, defaultView: 'heatmap', colorScheme: 'viridis' });
  });

  it('falls back to the defaults for missing or malformed values', () => {
    assert.deepEqual(parseSettings(from({})), DEFAULT_SETTINGS);
    const s = parseSettings(from({ modelFolder: 42, model: ['gpt2'], topK: '10', defaultView: 'pie', colorScheme: null }));
    assert.deepEqual(s, DEFAULT_SETTINGS);
  });

  it('clamps top-k to 1..100 and rounds fractions', () => {
    assert.equal(parseSettings(from({ topK: 0 })).topK, 1);
    assert.equal(parseSettings(from({ topK: 1000 })).topK, 100);
    assert.equal(parseSettings(from({ topK: 7.6 })).topK, 8);
    assert.equal(parseSettings(from({ topK: Number.NaN })).topK, 10);
    assert.equal(clampInteger(Infinity, 1, 5, 3), 3);
  });
});

describe('extension: model resolution', () => {
  const base = { folderSetting: '', env: undefined, modelSetting: '', workspaceFolder: '/ws', home: '/home/me' };

  it('prefers the folder setting, then the environment variable, then the model setting', () => {
    assert.deepEqual(resolveModel({ ...base, folderSetting: '/a', env: '/b', modelSetting: 'gpt2' }), { kind: 'folder', dir: '/a', origin: 'folder-setting' });
    assert.deepEqual(resolveModel({ ...base, env: '/b', modelSetting: 'gpt2' }), { kind: 'folder', dir: '/b', origin: 'environment' });
    const hub = resolveModel({ ...base, env: '  ', modelSetting: 'gpt2' });
    assert.equal(hub.kind, 'hub');
    assert.equal(hub.kind === 'hub' && hub.spec.id, 'openai-community/gpt2');
    assert.equal(hub.kind === 'hub' && hub.origin, 'model-setting');
  });

  it('falls back to the built-in stories260K from the hub when nothing is set', () => {
    for (const modelSetting of ['', '   ', 'stories260K']) {
      const choice = resolveModel({ ...base, modelSetting });
      assert.deepEqual(choice, {
        kind: 'hub',
        origin: 'built-in',
        spec: {
          id: 'karpathy/tinyllamas',
          revision: 'main',
          subfolder: 'stories260K',
          files: ['stories260K/stories260K.bin', 'stories260K/tok512.bin'],
          catalogKey: 'stories260K',
          name: 'stories260K',
        },
      });
    }
  });

  it('reports a model setting that is not a model id, instead of guessing', () => {
    const choice = resolveModel({ ...base, modelSetting: 'not a model' });
    assert.equal(choice.kind, 'invalid');
    assert.equal(choice.kind === 'invalid' && choice.value, 'not a model');
    assert.match(choice.kind === 'invalid' ? choice.problem : '', /curated models.*owner\/name/);
  });

  it('expands ~ and resolves relative settings against the workspace folder', () => {
    assert.equal(expandFolder('~/models/s', '/ws', '/home/me'), path.join('/home/me', 'models/s'));
    assert.equal(expandFolder('~', '/ws', '/home/me'), '/home/me');
    assert.equal(expandFolder('models/s', '/ws', '/home/me'), path.resolve('/ws', 'models/s'));
    assert.equal(expandFolder('/abs/x/../y', '/ws', '/home/me'), path.normalize('/abs/y'));
    assert.equal(resolveModel({ ...base, folderSetting: 'm' }).kind, 'folder');
  });

  it('describes where the model came from and names it', () => {
    assert.match(describeOrigin('folder-setting'), /attentionInspector\.modelFolder/);
    assert.match(describeOrigin('environment'), /ATTENTION_INSPECTOR_MODEL_DIR/);
    assert.match(describeOrigin('model-setting'), /attentionInspector\.model\b/);
    assert.match(describeOrigin('built-in'), /built-in/);
    assert.equal(choiceName(resolveModel({ ...base, folderSetting: '/m/stories260K' })), 'stories260K');
    assert.equal(choiceName(resolveModel({ ...base, modelSetting: 'test-org/tiny@v2' })), 'test-org/tiny@v2');
  });
});
