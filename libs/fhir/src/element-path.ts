/**
 * Element paths as senders read them. @medplum/core names a choice element by its definition
 * (`Observation.value[x].value`); the sender wrote `valueQuantity`. `elementPath` walks the
 * resource along the path and puts the JSON name back:
 * `Bundle.entry[1].resource.value[x].value` → `Bundle.entry[1].resource.valueQuantity.value`.
 */

const SEGMENT = /^([A-Za-z_][A-Za-z0-9_]*)(\[x\])?(?:\[(\d+)\])?$/;

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function choiceKey(node: Record<string, unknown>, name: string): string | undefined {
  return Object.keys(node).find((k) => {
    const next = k.charAt(name.length);
    return k.startsWith(name) && next >= 'A' && next <= 'Z';
  });
}

/** `path` with every `name[x]` replaced by the JSON property present in `root`. Segments
 * that cannot be followed are kept as they are. */
export function elementPath(root: unknown, path: string): string {
  if (!path.includes('[x]')) return path;
  const segments = path.split('.');
  const out = [segments[0]!];
  let node: unknown = root;
  for (let i = 1; i < segments.length; i++) {
    const m = SEGMENT.exec(segments[i]!);
    if (!m || !isJsonObject(node)) {
      out.push(...segments.slice(i));
      break;
    }
    const [, name, choice, index] = m;
    const key = choice ? choiceKey(node, name!) : name!;
    if (key === undefined) {
      out.push(...segments.slice(i));
      break;
    }
    out.push(index === undefined ? key : `${key}[${index}]`);
    const value = node[key];
    node = index === undefined ? value : Array.isArray(value) ? (value[Number(index)] as unknown) : undefined;
  }
  return out.join('.');
}

/** True when `path` is `prefix` or an element below it. */
export function isWithin(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
}
