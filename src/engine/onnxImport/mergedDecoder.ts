/**
 * Hugging Face Optimum "merged" decoders (decoder_model_merged.onnx) put the whole decoder inside an If on a
 * boolean use_cache_branch input: one branch reads past_key_values, the other (the first step's) does not.
 * The engine runs one graph for prefill and decode, and the branch that reads the past serves both (a past
 * of length 0 is a prefill), so that branch replaces the If in the main graph: its values get fresh names,
 * its initializers move up, its outputs become the If's outputs, and use_cache_branch stops being an input.
 * The surgery then sees a plain decoder with past.
 */
import { onnx } from 'onnx-proto';
import { EngineError } from '../../shared/errors';
import type { GraphEditor } from './graphEditor';

const USE_CACHE_BRANCH = 'use_cache_branch';

const DataType = onnx.TensorProto.DataType;

/** Inlines every If switched by the use_cache_branch input; `isPast` tells past key/value input names. */
export function inlineCacheBranch(editor: GraphEditor, isPast: (name: string) => boolean): void {
  const inputs = editor.graph.input ?? [];
  if (!inputs.some((i) => i.name === USE_CACHE_BRANCH)) return;
  let useCache = true;
  for (const node of [...editor.nodes]) {
    if (node.opType !== 'If' || node.input?.[0] !== USE_CACHE_BRANCH) continue;
    const branch = pastBranch(node, isPast);
    useCache = branch.name === 'then_branch';
    editor.nodes.splice(editor.nodes.indexOf(node), 1, ...inlined(editor, branch.g, node.output ?? []));
  }
  editor.graph.input = inputs.filter((i) => i.name !== USE_CACHE_BRANCH);
  // Anything else reading the switch sees the branch that was kept.
  if (readNames(editor.graph).has(USE_CACHE_BRANCH)) {
    editor.graph.initializer?.push({ name: USE_CACHE_BRANCH, dataType: DataType.BOOL, dims: [1], rawData: Uint8Array.of(useCache ? 1 : 0) });
  }
  dropUnreadInitializers(editor);
}

/** The branch that reads the past; then_branch (what use_cache_branch=true selects) when both do. */
function pastBranch(node: onnx.INodeProto, isPast: (name: string) => boolean): { name: string; g: onnx.IGraphProto } {
  const branches = ['then_branch', 'else_branch'].flatMap((name) => {
    const g = (node.attribute ?? []).find((a) => a.name === name)?.g;
    return g ? [{ name, g }] : [];
  });
  const readsPast = branches.filter((b) => [...readNames(b.g)].some(isPast));
  if (readsPast.length === 0) {
    throw new EngineError('UNSUPPORTED', `neither branch of the ONNX graph's If on ${USE_CACHE_BRANCH} reads past_key_values`);
  }
  return readsPast[0];
}

/** The branch's nodes under fresh names, then Identities from its outputs onto `outputs` (the If's). */
function inlined(editor: GraphEditor, branch: onnx.IGraphProto, outputs: string[]): onnx.INodeProto[] {
  if ((branch.sparseInitializer ?? []).length > 0) {
    throw new EngineError('UNSUPPORTED', `the ONNX graph's ${USE_CACHE_BRANCH} branch holds sparse initializers`);
  }
  const renames = new Map<string, string>();
  for (const t of branch.initializer ?? []) {
    const name = editor.fresh(t.name ?? 'initializer');
    renames.set(t.name ?? '', name);
    editor.graph.initializer?.push({ ...t, name });
  }
  for (const n of branch.node ?? []) for (const o of n.output ?? []) if (o) renames.set(o, editor.fresh(o));
  const nodes = (branch.node ?? []).map((n) => ({
    ...n,
    name: editor.fresh(n.name || (n.opType ?? 'node')),
    input: (n.input ?? []).map((i) => renames.get(i) ?? i),
    output: (n.output ?? []).map((o) => renames.get(o) ?? o),
    attribute: (n.attribute ?? []).map((a) => renameInSubgraphs(a, renames)),
  }));
  (branch.output ?? []).forEach((o, i) => {
    const source = o.name ?? '';
    if (!outputs[i]) return;
    nodes.push({ name: editor.fresh('If_output'), opType: 'Identity', input: [renames.get(source) ?? source], output: [outputs[i]], attribute: [] });
  });
  return nodes;
}

/** Nested subgraphs (an If inside the branch) may read the branch's values: they follow the renames. */
function renameInSubgraphs(a: onnx.IAttributeProto, renames: Map<string, string>): onnx.IAttributeProto {
  if (!a.g && (a.graphs ?? []).length === 0) return a;
  const rename = (g: onnx.IGraphProto): onnx.IGraphProto => {
    const local = definedNames(g);
    const outer = (name: string): string => (local.has(name) ? name : (renames.get(name) ?? name));
    return {
      ...g,
      node: (g.node ?? []).map((n) => ({
        ...n,
        input: (n.input ?? []).map(outer),
        attribute: (n.attribute ?? []).map((inner) => renameInSubgraphs(inner, renames)),
      })),
      output: (g.output ?? []).map((o) => ({ ...o, name: outer(o.name ?? '') })),
    };
  };
  return { ...a, g: a.g ? rename(a.g) : a.g, graphs: (a.graphs ?? []).map(rename) };
}

function definedNames(g: onnx.IGraphProto): Set<string> {
  return new Set([
    ...(g.input ?? []).map((v) => v.name ?? ''),
    ...(g.initializer ?? []).map((t) => t.name ?? ''),
    ...(g.node ?? []).flatMap((n) => n.output ?? []),
  ]);
}

/** Every value name the graph's nodes read, nested subgraphs included. */
function readNames(g: onnx.IGraphProto): Set<string> {
  const names = new Set<string>();
  const visit = (graph: onnx.IGraphProto): void => {
    for (const n of graph.node ?? []) {
      for (const i of n.input ?? []) if (i) names.add(i);
      for (const a of n.attribute ?? []) [...(a.g ? [a.g] : []), ...(a.graphs ?? [])].forEach(visit);
    }
    for (const o of graph.output ?? []) if (o.name) names.add(o.name);
  };
  visit(g);
  return names;
}

/**
 * Weights only the dropped branch read would still be loaded into onnxruntime's WASM memory (capped at 4 GB).
 * Initializers also listed as graph inputs (IR < 4) stay: removing them would turn them into inputs to feed.
 */
function dropUnreadInitializers(editor: GraphEditor): void {
  const read = readNames(editor.graph);
  const inputs = new Set((editor.graph.input ?? []).map((i) => i.name));
  editor.graph.initializer = (editor.graph.initializer ?? []).filter((t) => read.has(t.name ?? '') || inputs.has(t.name));
}
