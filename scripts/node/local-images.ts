// The images the local node runs meshward with, built from this checkout (scripts/images/) and
// cached by their inputs: meshward, meshward-init, the sandbox (pause, from the node's build) and,
// in Envoy's place, the tests' proxy stand-in (test/go/cmd/proxy-standin: a judge that configures
// itself over xDS and forwards no traffic; no Envoy binary can be had here).
import { ensureGoTool, GO_TOOLS_MODULE, type GoToolLog } from '../go-tool.js';
import {
  ensureImages,
  LOCAL_INIT_IMAGE,
  LOCAL_MESHWARD_IMAGE,
  LOCAL_PAUSE_IMAGE,
  LOCAL_PROXY_STANDIN_IMAGE,
} from '../images/build-images.js';
import { ensureNodeBinaries } from './ensure-node-binaries.js';
import { join } from 'node:path';

export const NODE_IMAGES = {
  meshward: LOCAL_MESHWARD_IMAGE,
  init: LOCAL_INIT_IMAGE,
  pause: LOCAL_PAUSE_IMAGE,
  proxyStandin: LOCAL_PROXY_STANDIN_IMAGE,
} as const;

/** Path of the static proxy-standin binary, building it on first use. */
export function ensureProxyStandin(log?: GoToolLog): Promise<string> {
  return ensureGoTool('proxy-standin', GO_TOOLS_MODULE, './cmd/proxy-standin', log, { static: true });
}

/** The archives of NODE_IMAGES, for startNodeCluster({images}). Needs a built dist (tsc + the client bundle). */
export async function ensureNodeImages(log?: GoToolLog): Promise<string[]> {
  const [binDir, proxyStandin] = await Promise.all([ensureNodeBinaries(), ensureProxyStandin(log)]);
  const images = await ensureImages({ pause: join(binDir, 'pause'), proxyStandin });
  return [images.pause!, images.meshward, images.init, images.proxyStandin!].map((image) => image.path);
}
