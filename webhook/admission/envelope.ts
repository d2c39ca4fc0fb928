import {
  ADMISSION_API_VERSION,
  ADMISSION_KIND,
  type AdmissionDecision,
  type AdmissionRequest,
  type AdmissionResponse,
  type AdmissionReview,
} from './types.js';

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

/** Wraps a decision in the AdmissionReview the API server expects, echoing the request uid. */
export function buildAdmissionReview(uid: string, decision: AdmissionDecision): AdmissionReview {
  const response: AdmissionResponse = { uid, allowed: decision.allowed };
  if (!decision.allowed) {
    response.status = {
      code: decision.code ?? 403,
      message: decision.message ?? decision.reason,
      reason: decision.reason,
    };
  }
  if (decision.allowed && decision.patch && decision.patch.length > 0) {
    response.patchType = 'JSONPatch';
    response.patch = Buffer.from(JSON.stringify(decision.patch)).toString('base64');
  }
  if (decision.warnings && decision.warnings.length > 0) {
    response.warnings = decision.warnings.map(clampWarning);
  }
  if (decision.auditAnnotations && Object.keys(decision.auditAnnotations).length > 0) {
    response.auditAnnotations = decision.auditAnnotations;
  }
  return { apiVersion: ADMISSION_API_VERSION, kind: ADMISSION_KIND, response };
}
