/**
 * RSA-2048 signature keys of mutable files, with Node's crypto. Tahoe
 * hashes and stores two serialisations: the private key as PKCS#8 DER
 * (hashed into the write key, and stored encrypted in every share) and the
 * public key as SubjectPublicKeyInfo DER (stored in every share, hashed
 * into the fingerprint). Signatures are RSA-PSS with SHA-256, MGF1-SHA-256
 * and a 32-byte salt: the parameters Tahoe kept from pycryptopp.
 */
import {
  constants, createCipheriv, createPrivateKey, createPublicKey, generateKeyPair as generateKeyPairCb, sign, verify,
  type KeyObject
} from 'node:crypto'
import { promisify } from 'node:util'
import { plain } from '../immutable/index.js'
import { InvalidKeyError } from './errors.js'

export const RSA_KEY_BITS = 2048
export const RSA_PUBLIC_EXPONENT = 65537
export const PSS_SALT_LENGTH = 32

const generateKeyPairAsync = promisify(generateKeyPairCb)

export interface MutableKeyPair {
  privateKey: KeyObject
  publicKey: KeyObject
  /** The signature key as PKCS#8 DER: the bytes Tahoe hashes into the write key and encrypts into shares. */
  privateDer: Uint8Array
  /** The verification key as SubjectPublicKeyInfo DER: the bytes stored in shares and hashed into the fingerprint. */
  publicDer: Uint8Array
}

function fromPrivateKeyObject (privateKey: KeyObject): MutableKeyPair {
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw new InvalidKeyError(`a mutable file's signature key must be RSA, got ${privateKey.asymmetricKeyType ?? 'an unknown type'}`)
  }
  const bits = privateKey.asymmetricKeyDetails?.modulusLength
  if (bits !== RSA_KEY_BITS) {
    // Tahoe refuses any other size when it loads a signature key.
    throw new InvalidKeyError(`a mutable file's signature key must be ${RSA_KEY_BITS}-bit RSA, this one has ${bits ?? 'unknown'} bits`)
  }
  const publicKey = createPublicKey(privateKey)
  return {
    privateKey,
    publicKey,
    privateDer: plain(privateKey.export({ format: 'der', type: 'pkcs8' })),
    publicDer: plain(publicKey.export({ format: 'der', type: 'spki' }))
  }
}

/** A fresh RSA-2048 key with exponent 65537, as Tahoe makes for a new mutable file. */
export async function generateMutableKeyPair (): Promise<MutableKeyPair> {
  const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: RSA_KEY_BITS, publicExponent: RSA_PUBLIC_EXPONENT })
  return fromPrivateKeyObject(privateKey)
}

/**
 * Reads a signature key: PEM (PKCS#1 `RSA PRIVATE KEY` as in Tahoe's
 * vectors, or PKCS#8 `PRIVATE KEY`), or DER bytes (PKCS#8 as Tahoe stores
 * it in shares, or PKCS#1).
 */
export function importMutablePrivateKey (key: string | Uint8Array): MutableKeyPair {
  let obj: KeyObject
  try {
    if (typeof key === 'string') obj = createPrivateKey({ key, format: 'pem' })
    else {
      try {
        obj = createPrivateKey({ key: Buffer.from(key), format: 'der', type: 'pkcs8' })
      } catch {
        obj = createPrivateKey({ key: Buffer.from(key), format: 'der', type: 'pkcs1' })
      }
    }
  } catch (err) {
    throw new InvalidKeyError('the signature key could not be read: expected an RSA private key as PEM (PKCS#1 or PKCS#8) or DER', { cause: err })
  }
  return fromPrivateKeyObject(obj)
}

/** Reads a verification key from SubjectPublicKeyInfo DER (the form stored in shares). */
export function importMutablePublicKey (spkiDer: Uint8Array): KeyObject {
  let obj: KeyObject
  try {
    obj = createPublicKey({ key: Buffer.from(spkiDer), format: 'der', type: 'spki' })
  } catch (err) {
    throw new InvalidKeyError('the verification key is not a SubjectPublicKeyInfo DER public key', { cause: err })
  }
  if (obj.asymmetricKeyType !== 'rsa') throw new InvalidKeyError(`the verification key must be RSA, got ${obj.asymmetricKeyType ?? 'an unknown type'}`)
  return obj
}

/** PKCS#1 PEM (`-----BEGIN RSA PRIVATE KEY-----`), the form of Tahoe's vectors. */
export function exportMutablePrivateKeyPem (pair: MutableKeyPair, type: 'pkcs1' | 'pkcs8' = 'pkcs1'): string {
  return pair.privateKey.export({ format: 'pem', type }) as string
}

const PSS = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: PSS_SALT_LENGTH }

export function signMutable (privateKey: KeyObject, data: Uint8Array): Uint8Array {
  return plain(sign('sha256', data, { key: privateKey, ...PSS }))
}

export function verifyMutableSignature (publicKey: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verify('sha256', data, { key: publicKey, ...PSS }, signature)
  } catch {
    return false
  }
}

/**
 * AES-128-CTR from counter zero, as Tahoe uses for the encrypted private
 * key (keyed by the write key) and for each segment (keyed by its data key):
 * every key encrypts exactly one stream, so no IV is needed.
 */
export function aesCtr (key: Uint8Array, data: Uint8Array): Uint8Array {
  const c = createCipheriv('aes-128-ctr', key, new Uint8Array(16))
  const out = c.update(data)
  c.final()
  return plain(out)
}

/** The signature key as Tahoe stores it in shares: PKCS#8 DER encrypted with the write key. */
export function encryptPrivateKey (writekey: Uint8Array, privateDer: Uint8Array): Uint8Array {
  return aesCtr(writekey, privateDer)
}

export function decryptPrivateKey (writekey: Uint8Array, encrypted: Uint8Array): Uint8Array {
  return aesCtr(writekey, encrypted)
}
