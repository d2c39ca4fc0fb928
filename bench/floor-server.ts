import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { TLS12_CIPHERS } from '../webhook/server/tls-files.js';
import { listenUntilSigterm } from './bench-server.js';

// The I/O floor: node:https with meshward's TLS settings and keep-alive timeout, that reads the
// same AdmissionReview, JSON.parses it like meshward does, and answers with meshward's own
// response to it, precomputed (looked up by request.uid): same bytes in and out, none of the work.
//
//   node dist/bench/floor-server.js PORT CERT_FILE KEY_FILE RESPONSES_JSON
// RESPONSES_JSON: {"<uid>": "<base64 of meshward's response body>"}.

const [portArg, certFile, keyFile, responsesFile] = process.argv.slice(2);
if (!portArg || !certFile || !keyFile || !responsesFile) {
  process.stderr.write('usage: floor-server PORT CERT KEY RESPONSES_JSON\n');
  process.exit(2);
}
const responses = new Map<string, Buffer>(
  Object.entries(JSON.parse(readFileSync(responsesFile, 'utf8')) as Record<string, string>).map(([uid, b64]) => [uid, Buffer.from(b64, 'base64')]),
);

const server = createServer(
  { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), minVersion: 'TLSv1.2', ciphers: TLS12_CIPHERS, honorCipherOrder: true },
  (req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 2 });
      res.end('{}');
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
        const review = JSON.parse(body.toString('utf8')) as { request?: { uid?: string } };
        out = responses.get(review.request?.uid ?? '');
      } catch {
        out = undefined;
      }
      if (!out) {
        res.writeHead(400, { 'content-type': 'application/json', 'content-length': 2 });
        res.end('{}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': out.length });
      res.end(out);
    });
  },
);
listenUntilSigterm(server, Number(portArg));
