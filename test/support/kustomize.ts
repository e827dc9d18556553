import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

// kustomize is not installed here, so the infra test renders infra/k8s the way `kustomize build` does, for the
// subset of kustomize the manifests use: resources (files and directories), patches (strategic merge, inline or
// by path), namespace, namePrefix with nameReference configurations, labels (includeSelectors and
// includeTemplates) and images. Transformers run in kustomize's order: patches, namespace, prefix, labels,
// images. Anything outside the subset is refused by name, so a manifest cannot quietly rely on a feature that
// is not rendered as kustomize would.

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [field: string]: unknown };
  [field: string]: unknown;
}

/** A manifest or kustomization that uses something outside the rendered subset, or is malformed. */
export class KustomizeSubsetError extends Error {
  override readonly name = 'KustomizeSubsetError';
}

interface FieldSpec {
  kind: string;
  path: string;
}
interface NameReference {
  kind: string;
  fieldSpecs: FieldSpec[];
}
interface Rendered {
  resources: K8sObject[];
  nameReferences: NameReference[];
}
interface LabelsEntry {
  pairs: Record<string, string>;
  includeSelectors?: boolean;
  includeTemplates?: boolean;
}
interface ImageEntry {
  name: string;
  newName?: string;
  newTag?: string;
}
interface PatchEntry {
  patch?: string;
  path?: string;
}

const KNOWN_FIELDS = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'namePrefix', 'labels', 'patches', 'images', 'configurations']);
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PriorityClass', 'StorageClass']);
/** Built-in kinds, whose lists merge by their schema's merge keys; any other kind (a CRD such as KEDA's) has none. */
const BUILT_IN_API_VERSIONS = new Set(['v1', 'apps/v1', 'policy/v1', 'autoscaling/v2', 'batch/v1', 'networking.k8s.io/v1']);
/** The patchMergeKey of the built-in lists used here; every other built-in list is replaced. */
const MERGE_KEYS: Record<string, string> = { containers: 'name', initContainers: 'name', env: 'name', volumes: 'name', volumeMounts: 'mountPath', ports: 'containerPort' };
/**
 * Keys older kustomize (kyaml) inferred for lists without a schema; current kustomize infers only `name`. A patch
 * whose result would differ between the two is refused: give such a list whole.
 */
const LEGACY_INFERRED_KEYS = ['mountPath', 'devicePath', 'ip', 'type', 'topologyKey', 'name', 'containerPort'];

/**
 * Where `labels` writes, by kind: kustomize's default commonLabels field specs, for the kinds used here.
 * `create: false` paths are set only where the field exists.
 */
const SELECTOR_FIELDS: Record<string, readonly { path: string; create: boolean }[]> = {
  Deployment: [
    { path: 'spec/selector/matchLabels', create: true },
    { path: 'spec/template/metadata/labels', create: true },
    { path: 'spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels', create: false },
    { path: 'spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels', create: false },
    { path: 'spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels', create: false },
    { path: 'spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels', create: false },
  ],
  PodDisruptionBudget: [{ path: 'spec/selector/matchLabels', create: false }],
};
const TEMPLATE_FIELDS: Record<string, readonly string[]> = { Deployment: ['spec/template/metadata/labels'] };

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asObject(doc: unknown, where: string): K8sObject {
  if (!isRecord(doc) || typeof doc.apiVersion !== 'string' || typeof doc.kind !== 'string' || !isRecord(doc.metadata) || typeof doc.metadata.name !== 'string') {
    throw new KustomizeSubsetError(`${where}: not a Kubernetes object (apiVersion, kind and metadata.name are required)`);
  }
  return doc as K8sObject;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

function everyItemHas(lists: readonly unknown[][], key: string): boolean {
  return lists.flat().every((item) => isRecord(item) && (typeof item[key] === 'string' || typeof item[key] === 'number'));
}

function mergeListByKey(target: unknown[], patch: unknown[], key: string, builtIn: boolean): unknown[] {
  const out = target.map((item) => clone(item));
  for (const item of patch as Record<string, unknown>[]) {
    const at = out.findIndex((existing) => isRecord(existing) && existing[key] === item[key]);
    if (at < 0) out.push(clone(item));
    else out[at] = mergePatch(out[at], item, builtIn);
  }
  return out;
}

/**
 * A strategic merge patch applied to a value, as kustomize applies it: maps merge key by key, null deletes a key;
 * a built-in list merges by its schema's merge key, a custom resource's list of maps by `name`; every other list
 * (args, a list of plain values, KEDA's triggers) is replaced.
 */
export function mergePatch(target: unknown, patch: unknown, builtIn: boolean, field = ''): unknown {
  if (isRecord(target) && isRecord(patch)) {
    const out: Record<string, unknown> = { ...target };
    for (const [key, value] of Object.entries(patch)) {
      if (key.startsWith('$')) throw new KustomizeSubsetError(`patch directive ${key} is not rendered here`);
      if (value === null) delete out[key];
      else out[key] = mergePatch(target[key], value, builtIn, key);
    }
    return out;
  }
  if (!Array.isArray(target) || !Array.isArray(patch)) return clone(patch);
  const lists = [target, patch];
  if (builtIn) return MERGE_KEYS[field] && everyItemHas(lists, MERGE_KEYS[field]) ? mergeListByKey(target, patch, MERGE_KEYS[field], true) : clone(patch);
  if (everyItemHas(lists, 'name')) return mergeListByKey(target, patch, 'name', false);
  const legacy = LEGACY_INFERRED_KEYS.find((key) => everyItemHas(lists, key));
  if (legacy && JSON.stringify(mergeListByKey(target, patch, legacy, false)) !== JSON.stringify(patch)) {
    throw new KustomizeSubsetError(`patch of ${field}: kustomize versions disagree on this list (older ones merge it by ${legacy}); give it whole`);
  }
  return clone(patch);
}

/** The values at a slash path; a list on the way is walked item by item. `create` makes missing maps. */
function mapsAt(node: unknown, path: readonly string[], create: boolean): Record<string, unknown>[] {
  if (Array.isArray(node)) return node.flatMap((item) => mapsAt(item, path, create));
  if (!isRecord(node)) return [];
  if (path.length === 0) return [node];
  const [head, ...rest] = path as [string, ...string[]];
  if (node[head] === undefined) {
    if (!create) return [];
    node[head] = {};
  }
  return mapsAt(node[head], rest, create);
}

export function setLabels(object: K8sObject, entry: LabelsEntry): void {
  object.metadata.labels = { ...object.metadata.labels, ...entry.pairs };
  const paths = [
    ...(entry.includeSelectors ? (SELECTOR_FIELDS[object.kind] ?? []) : []),
    ...(entry.includeTemplates && !entry.includeSelectors ? (TEMPLATE_FIELDS[object.kind] ?? []).map((path) => ({ path, create: true })) : []),
  ];
  for (const { path, create } of paths) {
    for (const labels of mapsAt(object, path.split('/'), create)) Object.assign(labels, entry.pairs);
  }
}

/** Rewrites `name[:tag]` images of the pod template whose name matches an entry. */
export function setImages(object: K8sObject, images: readonly ImageEntry[]): void {
  for (const container of [...mapsAt(object, 'spec/template/spec/containers'.split('/'), false), ...mapsAt(object, 'spec/template/spec/initContainers'.split('/'), false)]) {
    if (typeof container.image !== 'string') continue;
    if (container.image.includes('@')) throw new KustomizeSubsetError(`image ${container.image}: digests are not rendered here`);
    const [name, tag] = splitImage(container.image);
    const entry = images.find((i) => i.name === name);
    if (!entry) continue;
    const newTag = entry.newTag ?? tag;
    container.image = `${entry.newName ?? name}${newTag === undefined ? '' : `:${newTag}`}`;
  }
}

function splitImage(image: string): [string, string | undefined] {
  const colon = image.lastIndexOf(':');
  return colon > image.lastIndexOf('/') ? [image.slice(0, colon), image.slice(colon + 1)] : [image, undefined];
}

function readYamlDocuments(file: string): unknown[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => {
    if (doc.errors.length > 0) throw new KustomizeSubsetError(`${file}: ${doc.errors[0]!.message}`);
    return doc.toJS() as unknown;
  });
}

function listOf<T>(value: unknown, field: string, where: string): T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new KustomizeSubsetError(`${where}: ${field} must be a list`);
  return value as T[];
}

/** Renders the kustomization in `dir` (its kustomization.yaml), as `kustomize build dir` would. */
export function kustomizeBuild(dir: string): K8sObject[] {
  return render(resolve(dir)).resources;
}

function render(dir: string): Rendered {
  const file = join(dir, 'kustomization.yaml');
  if (!existsSync(file)) throw new KustomizeSubsetError(`${dir}: no kustomization.yaml`);
  const k: unknown = parse(readFileSync(file, 'utf8'));
  if (!isRecord(k)) throw new KustomizeSubsetError(`${file}: not a map`);
  const unknown = Object.keys(k).filter((key) => !KNOWN_FIELDS.has(key));
  if (unknown.length > 0) throw new KustomizeSubsetError(`${file}: ${unknown.join(', ')} not rendered here`);

  const resources: K8sObject[] = [];
  const nameReferences: NameReference[] = [];
  for (const entry of listOf<string>(k.resources, 'resources', file)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      const sub = render(path);
      resources.push(...sub.resources);
      nameReferences.push(...sub.nameReferences);
    } else resources.push(...readYamlDocuments(path).map((doc) => asObject(doc, path)));
  }
  // As kustomize, one object per kind, name and namespace.
  const ids = resources.map((r) => `${r.kind}/${r.metadata.namespace ?? ''}/${r.metadata.name}`);
  const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (twice.length > 0) throw new KustomizeSubsetError(`${file}: ${twice.join(', ')} more than once`);
  for (const entry of listOf<string>(k.configurations, 'configurations', file)) {
    const config: unknown = parse(readFileSync(join(dir, entry), 'utf8'));
    if (!isRecord(config) || Object.keys(config).some((key) => key !== 'nameReference')) throw new KustomizeSubsetError(`${entry}: only nameReference is rendered here`);
    nameReferences.push(...listOf<NameReference>(config.nameReference, 'nameReference', entry));
  }

  for (const entry of listOf<PatchEntry>(k.patches, 'patches', file)) {
    const text = entry.patch ?? (entry.path ? readFileSync(join(dir, entry.path), 'utf8') : undefined);
    if (text === undefined || Object.keys(entry).some((key) => key !== 'patch' && key !== 'path'))
      throw new KustomizeSubsetError(`${file}: a patch is given inline (patch) or by file (path), with no target`);
    const patch = asObject(parse(text), `${file}: patch`);
    const matches = resources.filter((r) => r.kind === patch.kind && r.metadata.name === patch.metadata.name);
    if (matches.length !== 1) throw new KustomizeSubsetError(`${file}: the patch of ${patch.kind}/${patch.metadata.name} matches ${matches.length} resources`);
    const at = resources.indexOf(matches[0]!);
    resources[at] = mergePatch(resources[at], patch, BUILT_IN_API_VERSIONS.has(patch.apiVersion)) as K8sObject;
  }

  if (typeof k.namespace === 'string') {
    for (const r of resources) if (!CLUSTER_SCOPED.has(r.kind)) r.metadata.namespace = k.namespace;
  }

  if (typeof k.namePrefix === 'string') {
    const prefix = k.namePrefix;
    for (const r of resources) {
      if (r.kind === 'ConfigMap' || r.kind === 'Secret') throw new KustomizeSubsetError(`${file}: renaming ${r.kind}/${r.metadata.name} would need kustomize's built-in references, not rendered here`);
      const old = r.metadata.name;
      r.metadata.name = `${prefix}${old}`;
      // References named in configurations follow the rename (kustomize's nameReference).
      for (const ref of nameReferences.filter((n) => n.kind === r.kind)) {
        for (const spec of ref.fieldSpecs) {
          const path = spec.path.split('/');
          const field = path.pop()!;
          for (const holder of resources.filter((h) => h.kind === spec.kind).flatMap((h) => mapsAt(h, path, false))) {
            if (holder[field] === old) holder[field] = r.metadata.name;
          }
        }
      }
    }
  }

  for (const entry of listOf<LabelsEntry>(k.labels, 'labels', file)) {
    if (!isRecord(entry.pairs)) throw new KustomizeSubsetError(`${file}: labels need pairs`);
    for (const r of resources) setLabels(r, entry);
  }
  const images = listOf<ImageEntry>(k.images, 'images', file);
  if (images.length > 0) for (const r of resources) setImages(r, images);
  return { resources, nameReferences };
}

/** The directory of each kustomization.yaml under `root`, for checks that every one renders. */
export function kustomizationDirs(root: string, found: string[] = []): string[] {
  if (existsSync(join(root, 'kustomization.yaml'))) found.push(root);
  for (const entry of readdirSync(root)) {
    const path = join(root, entry);
    if (statSync(path).isDirectory()) kustomizationDirs(path, found);
  }
  return found;
}
