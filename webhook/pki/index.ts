// Public surface of the offline PKI core. The signer controller, the CLI and the
// server import from here; everything else in this folder is an implementation detail.
export { PkiInputError, isPkiInputError } from './errors.js';
export { createRootCa, createIntermediateCa, type CaPemPair, type CreateCaOptions, type IntermediateCaPem } from './create-ca.js';
export { loadCa, type LoadCaInput, type MeshCa } from './mesh-ca.js';
export { issueSvid, type IssueSvidInput, type IssuedSvid } from './issue-svid.js';
export { computeSvidValidity, type SvidValidity } from './svid-validity.js';
export { classifyPublicKey, generateKeyPairFor, toPublicKey, type PodKeyType, type PublicKeyInput } from './key-types.js';
export { parseStubPkcs10, type StubPkcs10 } from './pkcs10.js';
export {
  decidePodCertificateRequest,
  DEFAULT_SIGNER_NAME,
  KNOWN_USER_ANNOTATIONS,
  PCR_BACKDATE_SECONDS,
  type PcrDecisionOptions,
} from './pcr-decision.js';
export { buildPcrStatus, rfc3339, type PcrCondition, type PcrStatus } from './pcr-status.js';
export type { PcrDecision, PcrOutcome, PodCertificateRequestLike, PodCertificateRequestSpec } from './pcr-types.js';
export { buildClusterTrustBundle, clusterTrustBundleName, fingerprint, type ClusterTrustBundle } from './trust-bundle.js';
export { caFilesOf, readCaDir, writeCaDir, writeSvidDir, type CaFiles, type SvidFiles } from './ca-files.js';
export {
  issueServingCert,
  issueSingleUseServing,
  type ServingCert,
  type ServingCertInput,
  type SingleUseServing,
  type SingleUseServingInput,
} from './serving-cert.js';
export { verifyPeerSpiffeId, type PeerIdentity } from './peer-spiffe-id.js';
export { parseSpiffeId, workloadSpiffeId, validateTrustDomain } from './spiffe-id.js';
