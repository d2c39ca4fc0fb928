import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { TLS12_CIPHERS } from '../webhook/server/tls-files.js';
import { listenUntilSigterm } from './bench-server.js';

// The I/O floor: node:https with meshward's TLS settings and keep-alive timeout, that reads the
// same AdmissionReview, JSON.parses it like meshward does, and answers with meshward's own
// response to it, precomputed: same bytes in and out, none of the work.
//
//   node dist/bench/floor-server.js PORT CERT_FILE KEY_FILE RESPONSES_JSON [TEMPLATE_UID]
// RESPONSES_JSON: {"<key>": "<base64 of meshward's response body>"}.
// Without TEMPLATE_UID (the HTTP cases, which resend the same reviews): keyed by request.uid and
// sent as is. With it (behind the API server, where every call has a fresh uid): keyed by
// "<path> <request.namespace>", each response meshward's answer to a review whose uid was
// TEMPLATE_UID, and the request's uid spliced in its place (the API server checks it is echoed).

const [portArg, certFile, keyFile, responsesFile, templateUid] = process.argv.slice(2);
if (!portArg || !certFile || !keyFile || !responsesFile) {
  process.stderr.write('usage: floor-server PORT CERT KEY RESPONSES_JSON [TEMPLATE_UID]\n');
  process.exit(2);
}

/** A response cut around the template uid's JSON string: before, after. */
type Template = readonly [Buffer, Buffer];

function cut(response: Buffer, uid: string): Template {
  const quoted = Buffer.from(JSON.stringify(uid));
  const at = response.indexOf(quoted);
  // Exactly once, or the splice could land somewhere other than response.uid.
  if (at < 0 || response.indexOf(quoted, at + 1) >= 0) throw new Error(`template uid ${uid} must occur exactly once in each response`);
  return [response.subarray(0, at), response.subarray(at + quoted.length)];
}

const responses = new Map<string, Buffer>();
const templates = new Map<string, Template>();
for (const [key, b64] of Object.entries(JSON.parse(readFileSync(responsesFile, 'utf8')) as Record<string, string>)) {
  const body = Buffer.from(b64, 'base64');
  if (templateUid) templates.set(key, cut(body, templateUid));
  else responses.set(key, body);
}

function answer(path: string, review: { request?: { uid?: string; namespace?: string } }): Buffer | undefined {
  const uid = review.request?.uid ?? '';
  if (!templateUid) return responses.get(uid);
  const template = templates.get(`${path} ${review.request?.namespace ?? ''}`);
  return template && Buffer.concat([template[0], Buffer.from(JSON.stringify(uid)), template[1]]);
}

// Answered reviews per path, exposed on GET /metrics under meshward's counter name so the bench
// can tell which of the two servers the API server is calling with the same parser.
const answered = new Map<string, number>();
function metricsText(): string {
  return [...answered].map(([path, n]) => `meshward_admissions_total{webhook="${path.slice(1)}"} ${n}\n`).join('');
}

const server = createServer(
  {
    cert: readFileSync(certFile, 'utf8'),
    key: readFileSync(keyFile, 'utf8'),
    minVersion: 'TLSv1.2',
    ciphers: TLS12_CIPHERS,
    honorCipherOrder: true,
  },
  (req, res) => {
    // The API server calls <url>?timeout=5s: the path alone is the key.
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method !== 'POST') {
      const text = path === '/metrics' ? metricsText() : '{}';
      res.writeHead(200, {
        'content-type': path === '/metrics' ? 'text/plain' : 'application/json',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      chunks.push(chunk);
    });
    req.on('end', () => {
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      let out: Buffer | undefined;
      try {
        out = answer(path, JSON.parse(body.toString('utf8')) as { request?: { uid?: string; namespace?: string } });
      } catch {
        out = undefined;
      }
      if (!out) {
        res.writeHead(400, { 'content-type': 'application/json', 'content-length': 2 });
        res.end('{}');
        return;
      }
      if (templateUid) answered.set(path, (answered.get(path) ?? 0) + 1); // the HTTP cases' floor does no more than it must
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': out.length });
      res.end(out);
    });
  },
);
listenUntilSigterm(server, Number(portArg));
