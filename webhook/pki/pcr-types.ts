/** The parts of a certificates.k8s.io/v1 PodCertificateRequest that the signer reads. */
export interface PodCertificateRequestSpec {
  readonly signerName: string;
  readonly podName: string;
  readonly podUID: string;
  readonly serviceAccountName: string;
  readonly serviceAccountUID?: string;
  readonly nodeName: string;
  readonly nodeUID?: string;
  readonly maxExpirationSeconds?: number;
  /** Base64 (as in JSON) DER PKCS#10, generated and signed by the kubelet with the pod's key. */
  readonly stubPKCS10Request: string;
  readonly unverifiedUserAnnotations?: Readonly<Record<string, string>>;
}

/** A PCR as the API returns it; the namespace is part of the SPIFFE ID. */
export interface PodCertificateRequestLike {
  readonly metadata: { readonly namespace: string; readonly name?: string; readonly generation?: number };
  readonly spec: PodCertificateRequestSpec;
}

export type PcrDeniedReason = 'UnsupportedKeyType' | 'InvalidUnverifiedUserAnnotations' | 'InvalidStubPKCS10Request' | 'InvalidRequest';

export type PcrFailedReason = 'SignerMisconfigured' | 'CAExpiring' | 'SigningError';

export interface PcrIssued {
  readonly type: 'Issued';
  /** PEM: leaf, then intermediates. */
  readonly certificateChain: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly beginRefreshAt: Date;
  readonly spiffeId: string;
}

export interface PcrDenied {
  readonly type: 'Denied';
  readonly reason: PcrDeniedReason;
  readonly message: string;
}

export interface PcrFailed {
  readonly type: 'Failed';
  readonly reason: PcrFailedReason;
  readonly message: string;
}

/** Not addressed to this signer: the controller must leave the PCR alone (no status write). */
export interface PcrIgnored {
  readonly type: 'Ignored';
  readonly reason: 'OtherSigner';
  readonly message: string;
}

/** A terminal outcome that is written to the PCR's /status. */
export type PcrOutcome = PcrIssued | PcrDenied | PcrFailed;

export type PcrDecision = PcrOutcome | PcrIgnored;
