// Builds test/go/cmd/proxy-standin, the judge that runs in the meshward-proxy container in place of
// Envoy on a real node (it forwards no traffic): a static binary, so an image needs nothing else.
// What it does, and its log lines, are in test/go/cmd/proxy-standin/main.go and test/go/README.md.
//
//   before(async function () { this.timeout(600_000); binary = await ensureProxyStandin(); });

import { ensureGoTool, GO_TOOLS_MODULE, type GoToolLog } from '../../scripts/go-tool.js';

/** Path of the static proxy-standin binary (CGO_ENABLED=0), building it on first use. */
export function ensureProxyStandin(log?: GoToolLog): Promise<string> {
  return ensureGoTool('proxy-standin', GO_TOOLS_MODULE, './cmd/proxy-standin', log, { static: true });
}
