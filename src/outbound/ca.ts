import { X509Certificate } from 'node:crypto';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Why a PEM bundle cannot serve as an endpoint's CA, or null when it can:
 * one or more certificates that parse, and nothing else (a private key pasted
 * by mistake is refused rather than stored).
 */
export function caBundleCheck(pem: string): string | null {
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) return 'is not a PEM certificate (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)';
  if (pem.replace(PEM_BLOCK, '').trim() !== '') return 'holds something besides PEM certificates';
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch {
      return `certificate ${i + 1} of the bundle does not parse`;
    }
  }
  return null;
}
