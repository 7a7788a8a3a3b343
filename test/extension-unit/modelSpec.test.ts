import assert from 'node:assert/strict';
import { CATALOG } from '../../src/engine/hub/catalog';
import { BUILT_IN_MODEL, findCatalogEntry, modelIdProblem, parseModelSpec, sameSpec, specKey, specSetting, type HubModelSpec } from '../../src/extension/modelSpec';

function spec(text: string): HubModelSpec {
  const parsed = parseModelSpec(text);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  return parsed.value;
}

describe('extension: model ids', () => {
  it('takes a curated name (any case) or its repository path to the catalog entry', () => {
    assert.equal(BUILT_IN_MODEL, 'stories260K');
    for (const text of ['stories260K', 'STORIES260k', 'karpathy/tinyllamas/stories260K', ' stories260K ']) {
      const s = spec(text);
      assert.deepEqual(s, {
        id: 'karpathy/tinyllamas',
        revision: 'main',
        subfolder: 'stories260K',
        files: ['stories260K/stories260K.bin', 'stories260K/tok512.bin'],
        catalogKey: 'stories260K',
        name: 'stories260K',
      });
    }
    assert.equal(spec('gpt2').id, 'openai-community/gpt2');
    assert.equal(spec('openai-community/gpt2').catalogKey, 'gpt2');
    assert.equal(spec('SmolLM2-135M').id, 'HuggingFaceTB/SmolLM2-135M');
    // The repository alone holds many llama2.c models: it is not the stories260K entry.
    assert.equal(findCatalogEntry('karpathy/tinyllamas'), undefined);
  });

  it('takes any hub repository as owner/name, with an optional @revision', () => {
    assert.deepEqual(spec('test-org/tiny-gpt2'), { id: 'test-org/tiny-gpt2', revision: 'main', name: 'test-org/tiny-gpt2' });
    assert.deepEqual(spec('Qwen/Qwen2.5-Coder-0.5B@refs/pr/3'), { id: 'Qwen/Qwen2.5-Coder-0.5B', revision: 'refs/pr/3', name: 'Qwen/Qwen2.5-Coder-0.5B@refs/pr/3' });
    const pinned = spec('gpt2@607a30d783dfa663caf39e06633721c8d4cfcd7e');
    assert.equal(pinned.catalogKey, 'gpt2');
    assert.equal(pinned.revision, '607a30d783dfa663caf39e06633721c8d4cfcd7e');
    assert.equal(pinned.name, 'gpt2@607a30d783dfa663caf39e06633721c8d4cfcd7e');
  });

  it('explains what is wrong with anything else', () => {
    const cases: [string, RegExp][] = [
      ['', /enter a curated name.*owner\/name/],
      ['llama', /"llama" is not one of the curated models \(stories260K, gpt2, .*\); a hub model id has an owner/],
      ['a/b/c', /too many "\/"/],
      ['/gpt2', /owner is missing/],
      ['owner/', /repository name is missing/],
      ['own er/x', /owner "own er" may hold only letters, digits/],
      ['owner/-x', /repository name "-x" may hold only/],
      ['owner/x--y', /repository name "x--y"/],
      ['owner/x..y', /repository name "x..y"/],
      [`owner/${'x'.repeat(97)}`, /longer than 96 characters/],
      ['owner/x@', /revision after "@" is missing/],
      ['owner/x@../../etc', /"..\/..\/etc" is not a revision/],
      ['owner/x@a b', /"a b" is not a revision/],
      ['owner/x@a//b', /is not a revision/],
    ];
    for (const [text, pattern] of cases) {
      const parsed = parseModelSpec(text);
      assert.equal(parsed.ok, false, text);
      assert.match(parsed.ok ? '' : parsed.error, pattern, text);
      assert.match(modelIdProblem(text) ?? '', pattern, text);
    }
    assert.equal(modelIdProblem('openai-community/gpt2@main'), undefined);
  });

  it('writes the setting back in its shortest form and keys downloads by repository, revision and folder', () => {
    assert.equal(specSetting(spec('openai-community/gpt2')), 'gpt2');
    assert.equal(specSetting(spec('karpathy/tinyllamas/stories260K@main')), 'stories260K');
    assert.equal(specSetting(spec('gpt2@v1')), 'gpt2@v1');
    assert.equal(specSetting(spec('test-org/tiny')), 'test-org/tiny');
    assert.equal(specSetting(spec('test-org/tiny@dev')), 'test-org/tiny@dev');
    assert.equal(specKey(spec('stories260K')), 'karpathy/tinyllamas@main/stories260K');
    assert.ok(sameSpec(spec('gpt2'), spec('openai-community/gpt2@main')));
    assert.ok(!sameSpec(spec('gpt2'), spec('gpt2@v1')));
    assert.equal(CATALOG.filter((e) => parseModelSpec(e.key).ok).length, CATALOG.length, 'every curated name parses');
  });
});
