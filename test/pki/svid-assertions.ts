import assert from 'node:assert/strict';
import { extensionBlock } from './openssl-helpers.js';

function hexPairs(block: string | undefined): string {
  return ((block ?? '')
    .split('\n')
    .slice(1)
    .join(' ')
    .match(/[0-9A-F]{2}(?::[0-9A-F]{2})+/) ?? [''])[0];
}

/** The CA certificate's SKI as openssl prints it. */
export function subjectKeyIdOf(caText: string): string {
  const ski = hexPairs(extensionBlock(caText, 'Subject Key Identifier'));
  assert.ok(ski.length > 0, 'CA certificate has a Subject Key Identifier');
  return ski;
}

/** Every X509-SVID rule, read from `openssl x509 -text -noout` output. */
export function assertSvidText(text: string, want: { spiffeId: string; rsa: boolean; caKeyId: string }): void {
  const san = extensionBlock(text, 'Subject Alternative Name');
  assert.ok(san, 'has a SAN extension');
  assert.match(san.split('\n')[0] as string, /critical/, 'SAN is critical (subject is empty)');
  const uris = san.match(/URI:[^,\s]+/g) ?? [];
  assert.deepEqual(uris, [`URI:${want.spiffeId}`], 'exactly one URI SAN, the SPIFFE ID');
  assert.match(text, /^\s*Subject:\s*$/m, 'subject is empty');

  const bc = extensionBlock(text, 'Basic Constraints');
  assert.ok(bc, 'has basicConstraints');
  assert.match(bc, /Basic Constraints: critical\n\s+CA:FALSE/, 'CA:FALSE, critical');

  const ku = extensionBlock(text, 'Key Usage');
  assert.ok(ku, 'has keyUsage');
  assert.match(ku.split('\n')[0] as string, /critical/, 'keyUsage is critical');
  const usages = (ku.split('\n')[1] ?? '').trim();
  assert.equal(usages, want.rsa ? 'Digital Signature, Key Encipherment' : 'Digital Signature');
  assert.doesNotMatch(ku, /Certificate Sign|CRL Sign/);

  const eku = extensionBlock(text, 'Extended Key Usage');
  assert.ok(eku, 'has extendedKeyUsage');
  assert.equal((eku.split('\n')[1] ?? '').trim(), 'TLS Web Server Authentication, TLS Web Client Authentication');

  assert.equal(hexPairs(extensionBlock(text, 'Authority Key Identifier')), want.caKeyId, 'AKI names the issuing CA key');
  const serial = (text.match(/Serial Number:\s*\n\s*([0-9a-f:]+)/) ?? [])[1] ?? '';
  const serialBytes = serial.split(':').filter(Boolean).length;
  assert.ok(serialBytes >= 15 && serialBytes <= 17, `serial is ~128 bits, got ${serialBytes} bytes`);
}
