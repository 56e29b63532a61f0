// The Matrix specification's own JSON schemas, compiled with ajv, so the fake homeserver can
// check every body against the spec rather than against our reading of it.
//
// The spec ships OpenAPI descriptions and event schemas as YAML with relative `$ref`s between
// files (`definitions/auth_data.yaml`, `../../event-schemas/schema/core-event-schema/event.yaml`,
// `#/components/...`). We inline them ourselves: ajv sees one self-contained schema per check.
import { readFileSync } from 'node:fs';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import Ajv2020 from 'ajv/dist/2020.js';

// The copy of the spec's data/ kept in the repository (CI has no /work/shared); see its README.
export const SPEC_DATA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), 'matrix-spec', 'data');

// The spec's string formats (data/string-formats.yaml), checked loosely: the grammar's shape,
// not every detail of the appendices.
const MATRIX_FORMATS = {
  'mx-user-id': /^@[^:\s]+:\S+$/,
  'mx-room-id': /^![^\s]+$/,
  'mx-event-id': /^\$[^\s]+$/,
  'mx-room-alias': /^#[^:\s]+:\S+$/,
  'mx-server-name': /^[A-Za-z0-9.\-[\]:]+$/,
  'mx-mxc-uri': /^mxc:\/\/[^/\s]+\/[A-Za-z0-9_-]+$/,
  'mx-unpadded-base64': /^[A-Za-z0-9+/]*$/,
  'mx-urlsafe-unpadded-base64': /^[A-Za-z0-9_-]*$/,
  uri: /^[A-Za-z][A-Za-z0-9+.-]*:\S*$/,
  email: /^[^@\s]+@[^@\s]+$/,
};

// Keys whose values are documentation, never schema: dropped before inlining, because the
// spec's examples themselves contain `$ref`s to example files.
const DOC_KEYS = new Set(['example', 'examples', 'description', 'title']);

export class MatrixSchemas {
  // dir: the spec's data/ folder.
  constructor(dir = SPEC_DATA_DIR) {
    this.dir = dir;
    this.documents = new Map();   // relative path -> parsed YAML
    this.validators = new Map();  // cache key -> ajv validate function (or null: no schema)
    this.ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
    for (const [name, re] of Object.entries(MATRIX_FORMATS)) this.ajv.addFormat(name, re);
    this.ajv.addFormat('int64', { type: 'number', validate: Number.isSafeInteger });
  }

  // The files read so far, relative to dir (used to decide what the repository must keep).
  filesRead() { return [...this.documents.keys()].sort(); }

  document(rel) {
    if (!this.documents.has(rel)) {
      this.documents.set(rel, YAML.parse(readFileSync(join(this.dir, rel), 'utf8')));
    }
    return this.documents.get(rel);
  }

  // A copy of `node` (found in file `rel`) with every $ref replaced by its target.
  // A cycle is cut with {} (accept anything); none of the schemas used here has one.
  inline(node, rel, seen = []) {
    if (Array.isArray(node)) return node.map((n) => this.inline(n, rel, seen));
    if (node === null || typeof node !== 'object') return node;
    const out = {};
    let target = null;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') target = this.follow(value, rel, seen);
      else if (key === '$schema' || key.startsWith('x-') || DOC_KEYS.has(key)) continue;
      else if (key === 'properties' || key === 'patternProperties' || key === '$defs') {
        out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.inline(v, rel, seen)]));
      } else out[key] = this.inline(value, rel, seen);
    }
    if (!target) return out;
    return Object.keys(out).length ? { allOf: [target, out] } : target;
  }

  follow(ref, rel, seen) {
    const [file, pointer = ''] = ref.split('#');
    const targetRel = file ? posix.normalize(posix.join(posix.dirname(rel), file)) : rel;
    const key = `${targetRel}#${pointer}`;
    if (seen.includes(key)) return {};
    let node = this.document(targetRel);
    for (const part of pointer.split('/').filter(Boolean)) {
      node = node[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    return this.inline(node, targetRel, [...seen, key]);
  }

  compiled(key, build) {
    if (!this.validators.has(key)) {
      const schema = build();
      this.validators.set(key, schema ? this.ajv.compile(schema) : null);
    }
    return this.validators.get(key);
  }

  // The request body schema of an operation in an OpenAPI file, e.g.
  // ('api/client-server/registration.yaml', '/register', 'post').
  requestBody(file, path, method) {
    return this.compiled(`body ${file} ${path} ${method}`, () => {
      const op = this.document(file).paths[path][method];
      const schema = op.requestBody?.content?.['application/json']?.schema;
      return schema ? this.inline(schema, file) : null;
    });
  }

  // The schema file of an event type: `m.room.message$m.text.yaml` when the msgtype has its own,
  // else `m.room.message.yaml`; null for a type the spec does not define.
  eventSchemaFile(type, msgtype) {
    const dir = 'event-schemas/schema';
    const candidates = msgtype ? [`${type}$${msgtype}.yaml`, `${type}.yaml`] : [`${type}.yaml`];
    for (const name of candidates) {
      try { this.document(`${dir}/${name}`); return `${dir}/${name}`; } catch { /* not defined */ }
    }
    return null;
  }

  // A whole event (as pushed to an appservice or served by /sync) against its event schema.
  event(type, msgtype) {
    return this.compiled(`event ${type} ${msgtype}`, () => {
      const file = this.eventSchemaFile(type, msgtype);
      return file ? this.inline(this.document(file), file) : null;
    });
  }

  // The content of an event, i.e. what a client PUTs to /send: the event schema's `content`.
  eventContent(type, msgtype) {
    return this.compiled(`content ${type} ${msgtype}`, () => {
      const file = this.eventSchemaFile(type, msgtype);
      if (!file) return null;
      const whole = this.inline(this.document(file), file);
      return contentOf(whole) || { type: 'object' };
    });
  }

  // A definition file used as a whole schema, e.g. 'api/client-server/definitions/m.mentions.yaml'.
  definition(file) {
    return this.compiled(`definition ${file}`, () => this.inline(this.document(file), file));
  }
}

// The `content` subschema of an inlined event schema: the event's own `properties.content`
// together with those of every allOf branch (the core event schemas only say "object").
function contentOf(schema) {
  const parts = [];
  const walk = (s) => {
    if (!s || typeof s !== 'object') return;
    if (s.properties?.content) parts.push(s.properties.content);
    for (const branch of s.allOf || []) walk(branch);
  };
  walk(schema);
  return parts.length === 1 ? parts[0] : parts.length ? { allOf: parts } : null;
}

// "content.msgtype: must be string" style messages from ajv errors.
export function describeErrors(errors, where = '') {
  return (errors || []).map((e) => `${where}${e.instancePath || '/'} ${e.message}`).join('; ');
}
