import assert from 'node:assert/strict';
import path from 'node:path';
import { describeOrigin, expandFolder, resolveModel } from '../../src/extension/modelResolver';
import { clampInteger, DEFAULT_SETTINGS, panelSettings, parseSettings } from '../../src/extension/settings';

const from = (values: Record<string, unknown>) => (key: string) => values[key];

describe('extension: settings', () => {
  it('reads valid values as they are', () => {
    const s = parseSettings(from({ modelFolder: ' /m ', topK: 25, defaultView: 'heatmap', colorScheme: 'viridis' }));
    assert.deepEqual(s, { modelFolder: '/m', topK: 25, defaultView: 'heatmap', colorScheme: 'viridis' });
    assert.deepEqual(panelSettings(s), { topK: 25, defaultView: 'heatmap', colorScheme: 'viridis' });
  });

  it('falls back to the defaults for missing or malformed values', () => {
    assert.deepEqual(parseSettings(from({})), DEFAULT_SETTINGS);
    const s = parseSettings(from({ modelFolder: 42, topK: '10', defaultView: 'pie', colorScheme: null }));
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
  const base = { setting: '', env: undefined, builtInDir: undefined, workspaceFolder: '/ws', home: '/home/me' };

  it('prefers the setting, then the environment variable, then the built-in model', () => {
    assert.deepEqual(resolveModel({ ...base, setting: '/a', env: '/b', builtInDir: '/c' }), { kind: 'folder', dir: '/a', origin: 'setting' });
    assert.deepEqual(resolveModel({ ...base, env: '/b', builtInDir: '/c' }), { kind: 'folder', dir: '/b', origin: 'environment' });
    assert.deepEqual(resolveModel({ ...base, env: '  ', builtInDir: '/c' }), { kind: 'folder', dir: '/c', origin: 'built-in' });
    assert.deepEqual(resolveModel(base), { kind: 'none' });
  });

  it('expands ~ and resolves relative settings against the workspace folder', () => {
    assert.equal(expandFolder('~/models/s', '/ws', '/home/me'), path.join('/home/me', 'models/s'));
    assert.equal(expandFolder('~', '/ws', '/home/me'), '/home/me');
    assert.equal(expandFolder('models/s', '/ws', '/home/me'), path.resolve('/ws', 'models/s'));
    assert.equal(expandFolder('/abs/x/../y', '/ws', '/home/me'), path.normalize('/abs/y'));
    assert.equal(resolveModel({ ...base, setting: 'm' }).kind, 'folder');
  });

  it('describes where the folder came from', () => {
    assert.match(describeOrigin('setting'), /attentionInspector\.modelFolder/);
    assert.match(describeOrigin('environment'), /ATTENTION_INSPECTOR_MODEL_DIR/);
  });
});
