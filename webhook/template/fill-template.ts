// The one template engine, for the injected containers (templates/meshward-*.yaml) and the proxy's
// bootstrap (templates/envoy-bootstrap.yaml). Why a YAML tree with whole-value placeholders rather
// than a text template language: the static parts stay readable config that an operator can edit,
// while everything computed is substituted as data on the parsed tree, so no value (a namespace, a
// path) can break the syntax.
//   key: "{{ a.b }}"        the whole value is replaced by the computed value (any JSON type)
//   - "{{ a.b }}"           as a list item: a computed list is spliced in, anything else inserted
//   "x-{{ a.b }}"           inside a longer string: string interpolation (strings and numbers only)

const WHOLE = /^\{\{\s*([A-Za-z0-9_.]+)\s*\}\}$/;
const INLINE = /\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g;

/** Returns a new tree with every placeholder filled from context; the template is not changed. */
export function fillTemplate(node: unknown, context: Readonly<Record<string, unknown>>): unknown {
  if (typeof node === 'string') {
    const whole = WHOLE.exec(node);
    if (whole) return lookup(context, whole[1]!);
    return node.replace(INLINE, (_, key: string) => {
      const v = lookup(context, key);
      if (typeof v !== 'string' && typeof v !== 'number')
        throw new Error(`template: {{ ${key} }} inside a string must be a string or number`);
      return String(v);
    });
  }
  if (Array.isArray(node)) {
    return node.flatMap((item) => {
      const filled = fillTemplate(item, context);
      return typeof item === 'string' && WHOLE.test(item) && Array.isArray(filled) ? filled : [filled];
    });
  }
  if (typeof node === 'object' && node !== null) {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, fillTemplate(v, context)]));
  }
  return node;
}

function lookup(context: Readonly<Record<string, unknown>>, key: string): unknown {
  let cur: unknown = context;
  for (const part of key.split('.')) {
    cur = typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>)[part] : undefined;
  }
  // A typo in an edited template must fail loudly, not render config without the value.
  if (cur === undefined) throw new Error(`template: no value for {{ ${key} }}`);
  return cur;
}
