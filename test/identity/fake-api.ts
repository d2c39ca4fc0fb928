// An in-memory IdentityApi with the API server's concurrency rules: every write bumps
// resourceVersion, a write carrying a stale resourceVersion gets 409, creating an existing object
// 409, reading a missing one undefined. Watches get the initial list and then every change.
import {
  ApiStatusError,
  type IdentityApi,
  type LeaseObject,
  type PcrObject,
  type PcrWatchHandlers,
  type SecretObject,
  type TrustBundleObject,
  type WatchHandle,
} from '../../webhook/identity/identity-api.js';

type Obj = { metadata: { name: string; namespace?: string; resourceVersion?: string } };

class Table<T extends Obj> {
  readonly items = new Map<string, T>();
  constructor(private readonly kind: string, private readonly bump: () => string) {}
  key(ns: string | undefined, name: string): string {
    return `${ns ?? ''}/${name}`;
  }
  get(ns: string | undefined, name: string): T | undefined {
    const o = this.items.get(this.key(ns, name));
    return o && structuredClone(o);
  }
  create(o: T): T {
    const k = this.key(o.metadata.namespace, o.metadata.name);
    if (this.items.has(k)) throw new ApiStatusError(409, `${this.kind} ${k} already exists`);
    const stored = { ...structuredClone(o), metadata: { ...o.metadata, resourceVersion: this.bump() } } as T;
    this.items.set(k, stored);
    return structuredClone(stored);
  }
  replace(o: T): T {
    const k = this.key(o.metadata.namespace, o.metadata.name);
    const have = this.items.get(k);
    if (!have) throw new ApiStatusError(404, `${this.kind} ${k} not found`);
    if (o.metadata.resourceVersion !== have.metadata.resourceVersion) throw new ApiStatusError(409, `${this.kind} ${k}: the object has been modified`);
    const stored = { ...structuredClone(o), metadata: { ...o.metadata, resourceVersion: this.bump() } } as T;
    this.items.set(k, stored);
    return structuredClone(stored);
  }
  delete(ns: string | undefined, name: string): T | undefined {
    const k = this.key(ns, name);
    const o = this.items.get(k);
    this.items.delete(k);
    return o;
  }
}

export interface FakeApi extends IdentityApi {
  readonly secrets: Table<SecretObject & Obj>;
  readonly leases: Table<LeaseObject & Obj>;
  readonly pcrs: Table<PcrObject & Obj>;
  readonly bundles: Table<TrustBundleObject & Obj>;
  /** Adds (or replaces) a PCR as the kubelet would and tells the watches. */
  putPcr(pcr: PcrObject): PcrObject;
  /** Deletes a PCR (as the API's 15-minute cleanup does) and tells the watches. */
  deletePcr(namespace: string, name: string): void;
  /** Calls made, e.g. "replacePcrStatus ns/name". */
  readonly calls: string[];
  /** Per method: throw this error on the next N calls. */
  failNext(method: keyof IdentityApi, err: Error, times?: number): void;
  /** Runs before a replacePcrStatus is applied (simulate another writer racing us). */
  beforeStatusWrite?: (pcr: PcrObject) => void;
}

export function fakeApi(): FakeApi {
  let rv = 0;
  const bump = (): string => String(++rv);
  const secrets = new Table<SecretObject & Obj>('Secret', bump);
  const leases = new Table<LeaseObject & Obj>('Lease', bump);
  const pcrs = new Table<PcrObject & Obj>('PodCertificateRequest', bump);
  const bundles = new Table<TrustBundleObject & Obj>('ClusterTrustBundle', bump);
  const pcrWatchers = new Set<{ signer: string; h: PcrWatchHandlers }>();
  const secretWatchers = new Set<{ ns: string; name: string; cb: (s: SecretObject | undefined) => void }>();
  const failures = new Map<string, { err: Error; times: number }>();
  const calls: string[] = [];

  const guard = (method: string, what: string): void => {
    calls.push(`${method} ${what}`);
    const f = failures.get(method);
    if (f && f.times > 0) {
      f.times--;
      throw f.err;
    }
  };
  const notifySecret = (ns: string | undefined, name: string): void => {
    for (const w of secretWatchers) if (w.ns === ns && w.name === name) w.cb(secrets.get(ns, name));
  };
  const notifyPcr = (p: PcrObject): void => {
    for (const w of pcrWatchers) if (p.spec.signerName === w.signer) w.h.onUpsert(structuredClone(p));
  };

  const api: FakeApi = {
    secrets,
    leases,
    pcrs,
    bundles,
    calls,
    failNext(method, err, times = 1) {
      failures.set(method, { err, times });
    },
    putPcr(pcr) {
      const existing = pcrs.get(pcr.metadata.namespace, pcr.metadata.name);
      const stored = existing ? pcrs.replace({ ...pcr, metadata: { ...pcr.metadata, resourceVersion: existing.metadata.resourceVersion } }) : pcrs.create(pcr);
      notifyPcr(stored);
      return stored;
    },
    deletePcr(ns, name) {
      const gone = pcrs.delete(ns, name);
      if (gone) for (const w of pcrWatchers) if (gone.spec.signerName === w.signer) w.h.onDelete(structuredClone(gone));
    },
    async getSecret(ns, name) {
      guard('getSecret', `${ns}/${name}`);
      return secrets.get(ns, name);
    },
    async createSecret(s) {
      guard('createSecret', s.metadata.name);
      const out = secrets.create(s as SecretObject & Obj);
      notifySecret(s.metadata.namespace, s.metadata.name);
      return out;
    },
    async replaceSecret(s) {
      guard('replaceSecret', s.metadata.name);
      const out = secrets.replace(s as SecretObject & Obj);
      notifySecret(s.metadata.namespace, s.metadata.name);
      return out;
    },
    watchSecret(ns, name, cb): WatchHandle {
      const w = { ns, name, cb };
      secretWatchers.add(w);
      queueMicrotask(() => cb(secrets.get(ns, name)));
      return { stop: async () => void secretWatchers.delete(w) };
    },
    async getLease(ns, name) {
      guard('getLease', `${ns}/${name}`);
      return leases.get(ns, name);
    },
    async createLease(l) {
      guard('createLease', l.metadata.name);
      return leases.create(l as LeaseObject & Obj);
    },
    async replaceLease(l) {
      guard('replaceLease', l.metadata.name);
      return leases.replace(l as LeaseObject & Obj);
    },
    async getPcr(ns, name) {
      guard('getPcr', `${ns}/${name}`);
      return pcrs.get(ns, name);
    },
    async replacePcrStatus(p) {
      guard('replacePcrStatus', `${p.metadata.namespace}/${p.metadata.name}`);
      api.beforeStatusWrite?.(p);
      const have = pcrs.get(p.metadata.namespace, p.metadata.name);
      if (have && have.metadata.resourceVersion !== p.metadata.resourceVersion) throw new ApiStatusError(409, 'the object has been modified');
      if (have?.status?.conditions?.length) throw new ApiStatusError(422, 'status is immutable once a terminal condition is set');
      const out = pcrs.replace({ ...(have ?? p), status: p.status, metadata: p.metadata } as PcrObject & Obj);
      notifyPcr(out);
      return out;
    },
    watchPcrs(signer, h): WatchHandle {
      const w = { signer, h };
      pcrWatchers.add(w);
      queueMicrotask(() => [...pcrs.items.values()].filter((p) => p.spec.signerName === signer).forEach((p) => h.onUpsert(structuredClone(p))));
      return { stop: async () => void pcrWatchers.delete(w) };
    },
    async listTrustBundles(signer) {
      guard('listTrustBundles', signer);
      return [...bundles.items.values()].filter((b) => b.spec.signerName === signer).map((b) => structuredClone(b));
    },
    async createTrustBundle(b) {
      guard('createTrustBundle', b.metadata.name);
      return bundles.create(b as TrustBundleObject & Obj);
    },
    async replaceTrustBundle(b) {
      guard('replaceTrustBundle', b.metadata.name);
      return bundles.replace(b as TrustBundleObject & Obj);
    },
    async deleteTrustBundle(name) {
      guard('deleteTrustBundle', name);
      bundles.delete(undefined, name);
    },
  };
  return api;
}
