import {
  ADMISSION_API_VERSION,
  ADMISSION_KIND,
  type AdmissionDecision,
  type AdmissionRequest,
  type AdmissionResponse,
  type AdmissionReview,
  type PatchOperation,
} from './types.js';
import { encodePatch } from './patch-base64.js';

/** Why a body is not an AdmissionReview we can answer: maps to an HTTP 4xx with {error, detail}. */
export class EnvelopeError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly detail: string,
  ) {
    super(`${error}: ${detail}`);
    this.name = 'EnvelopeError';
  }
}

const OPERATIONS = new Set(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);
const MAX_WARNING_LENGTH = 120;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireString(record: Record<string, unknown>, key: string, path: string): void {
  if (typeof record[key] !== 'string' || record[key] === '') {
    throw new EnvelopeError(400, 'InvalidAdmissionReview', `${path}.${key} must be a non-empty string`);
  }
}

/**
 * The part of the object's shape that every handler relies on (ObjectMeta as typed in types.ts):
 * the API server always sends labels and annotations as map[string]string, so anything else is
 * not from an API server and is refused here rather than tripping a handler.
 */
function checkObjectMeta(metadata: unknown, path: string): void {
  if (metadata === undefined || metadata === null) return;
  if (!isRecord(metadata)) throw new EnvelopeError(400, 'InvalidAdmissionReview', `${path} must be an object (Kubernetes ObjectMeta)`);
  for (const field of ['labels', 'annotations'] as const) {
    const map = metadata[field];
    if (map === undefined || map === null) continue;
    if (!isRecord(map)) throw new EnvelopeError(400, 'InvalidAdmissionReview', `${path}.${field} must be a map of strings to strings`);
    for (const key of Object.keys(map)) {
      const value = map[key];
      if (typeof value !== 'string') {
        throw new EnvelopeError(
          400,
          'InvalidAdmissionReview',
          `${path}.${field}[${JSON.stringify(key.slice(0, 100))}] must be a string, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`,
        );
      }
    }
  }
}

/**
 * Checks that a parsed body is an admission.k8s.io/v1 AdmissionReview with a usable request.
 * Only the envelope is checked here; the object's own shape is the handlers' business.
 */
export function parseAdmissionReview(body: unknown): AdmissionRequest {
  if (!isRecord(body)) {
    throw new EnvelopeError(400, 'InvalidAdmissionReview', 'body must be a JSON object (an admission.k8s.io/v1 AdmissionReview)');
  }
  if (body.apiVersion !== ADMISSION_API_VERSION || body.kind !== ADMISSION_KIND) {
    throw new EnvelopeError(
      400,
      'UnsupportedAdmissionReview',
      `apiVersion/kind must be ${ADMISSION_API_VERSION}/${ADMISSION_KIND}, got ${String(body.apiVersion)}/${String(body.kind)}; register the webhook with admissionReviewVersions: ["v1"]`,
    );
  }
  const request = body.request;
  if (!isRecord(request)) {
    throw new EnvelopeError(400, 'InvalidAdmissionReview', 'request must be an object');
  }
  requireString(request, 'uid', 'request');
  if (typeof request.operation !== 'string' || !OPERATIONS.has(request.operation)) {
    throw new EnvelopeError(400, 'InvalidAdmissionReview', 'request.operation must be one of CREATE, UPDATE, DELETE, CONNECT');
  }
  if (!isRecord(request.kind) || typeof request.kind.kind !== 'string' || typeof request.kind.version !== 'string') {
    throw new EnvelopeError(400, 'InvalidAdmissionReview', 'request.kind must be {group, version, kind}');
  }
  for (const key of ['object', 'oldObject'] as const) {
    const value = request[key];
    if (value !== undefined && value !== null && !isRecord(value)) {
      throw new EnvelopeError(400, 'InvalidAdmissionReview', `request.${key} must be an object or null`);
    }
    if (isRecord(value)) checkObjectMeta(value.metadata, `request.${key}.metadata`);
  }
  if (request.namespace !== undefined && typeof request.namespace !== 'string') {
    throw new EnvelopeError(400, 'InvalidAdmissionReview', 'request.namespace must be a string');
  }
  return request as unknown as AdmissionRequest;
}

/** Warnings reach clients as HTTP Warning headers; the API server asks for ≤120 characters each. */
export function clampWarning(warning: string): string {
  const flat = warning.replace(/[\r\n\t]+/g, ' ');
  return flat.length <= MAX_WARNING_LENGTH ? flat : `${flat.slice(0, MAX_WARNING_LENGTH - 1)}…`;
}

function hasPatch(decision: AdmissionDecision): decision is AdmissionDecision & { patch: readonly PatchOperation[] } {
  return decision.allowed && decision.patch !== undefined && decision.patch.length > 0;
}

// The patch is the response's last member, so encodeAdmissionReview knows where it goes: right
// before the closing '"}}' of JSON.stringify's text.
function review(uid: string, decision: AdmissionDecision, patch: string | undefined): AdmissionReview {
  const response: AdmissionResponse = { uid, allowed: decision.allowed };
  if (!decision.allowed) {
    response.status = {
      code: decision.code ?? 403,
      message: decision.message ?? decision.reason,
      reason: decision.reason,
    };
  }
  if (decision.warnings && decision.warnings.length > 0) {
    response.warnings = decision.warnings.map(clampWarning);
  }
  if (decision.auditAnnotations && Object.keys(decision.auditAnnotations).length > 0) {
    response.auditAnnotations = decision.auditAnnotations;
  }
  if (patch !== undefined) {
    response.patchType = 'JSONPatch';
    response.patch = patch;
  }
  return { apiVersion: ADMISSION_API_VERSION, kind: ADMISSION_KIND, response };
}

/** Wraps a decision in the AdmissionReview the API server expects, echoing the request uid. */
export function buildAdmissionReview(uid: string, decision: AdmissionDecision): AdmissionReview {
  return review(uid, decision, hasPatch(decision) ? Buffer.concat(encodePatch(decision.patch)).toString('latin1') : undefined);
}

const CLOSING = '"}}';
const CLOSING_BYTES = Buffer.from(CLOSING);

/**
 * The bytes of JSON.stringify(buildAdmissionReview(uid, decision)), without copying the base64
 * patch (often tens of KB) through strings: base64 needs no JSON escaping, so its parts go
 * between the empty patch's quotes.
 */
export function encodeAdmissionReview(uid: string, decision: AdmissionDecision): Buffer {
  if (!hasPatch(decision)) return Buffer.from(JSON.stringify(review(uid, decision, undefined)));
  const text = JSON.stringify(review(uid, decision, ''));
  return Buffer.concat([Buffer.from(text.slice(0, -CLOSING.length)), ...encodePatch(decision.patch), CLOSING_BYTES]);
}
