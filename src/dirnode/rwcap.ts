/**
 * Child write caps inside a directory are encrypted with the directory's
 * writekey, so a read-only holder of the directory cannot see them
 * (transitive read-only). Tahoe's scheme (dirnode.py, hashutil.py):
 *
 *   salt = Ht("allmydata_dirnode_child_rwcap_to_salt_v1", rw_uri)[:16]
 *   key  = Hp("allmydata_mutable_writekey_and_salt_to_dirnode_child_capkey_v1", salt, writekey)[:16]
 *   data = salt ‖ AES-128-CTR(key, counter 0, rw_uri) ‖ mac
 *   mac  = SHA256(key⊕0x5c ‖ SHA256(key⊕0x36 ‖ salt ‖ crypttext))
 *
 * The salt is a hash of the cap, not random: the same child cap in the same
 * directory always encrypts to the same bytes. The "mac" is Tahoe's own
 * HMAC-like construction (the 16-byte key is not padded to the block size,
 * so it is not RFC 2104 HMAC). Tahoe ≥ 1.3 writes it and never checks it;
 * we do the same (the mutable file's signature already covers these bytes).
 */
import { createHash } from 'node:crypto'
import { concatBytes, plain, taggedHash, taggedPairHash } from '../immutable/index.js'
import { aesCtr } from '../mutable/index.js'

export const RWCAP_TAGS = {
  salt: 'allmydata_dirnode_child_rwcap_to_salt_v1',
  key: 'allmydata_mutable_writekey_and_salt_to_dirnode_child_capkey_v1'
} as const

export const RWCAP_SALT_LENGTH = 16
export const RWCAP_MAC_LENGTH = 32

export function rwcapSalt (rwUri: Uint8Array): Uint8Array {
  return taggedHash(RWCAP_TAGS.salt, rwUri, RWCAP_SALT_LENGTH)
}

export function rwcapKey (salt: Uint8Array, writekey: Uint8Array): Uint8Array {
  return taggedPairHash(RWCAP_TAGS.key, salt, writekey).subarray(0, 16)
}

/** Tahoe's hashutil.hmac: SHA256(key⊕0x5c ‖ SHA256(key⊕0x36 ‖ data)), key used as is. */
export function tahoeHmac (key: Uint8Array, data: Uint8Array): Uint8Array {
  const ikey = key.map(b => b ^ 0x36)
  const okey = key.map(b => b ^ 0x5c)
  const h1 = createHash('sha256').update(ikey).update(data).digest()
  return plain(createHash('sha256').update(okey).update(h1).digest())
}

/** The rwcapdata field for one child (an empty cap still gets salt and mac, as in Tahoe). */
export function encryptRwCap (writekey: Uint8Array, rwUri: Uint8Array): Uint8Array {
  const salt = rwcapSalt(rwUri)
  const key = rwcapKey(salt, writekey)
  const crypttext = aesCtr(key, rwUri)
  return concatBytes([salt, crypttext, tahoeHmac(key, concatBytes([salt, crypttext]))])
}

/**
 * Decrypts a rwcapdata field as Tahoe does: salt = first 16 bytes, crypttext
 * = the bytes between salt and the 32-byte mac (empty when the field is
 * shorter than 48 bytes), mac ignored.
 */
export function decryptRwCap (writekey: Uint8Array, data: Uint8Array): Uint8Array {
  const salt = data.subarray(0, RWCAP_SALT_LENGTH)
  const crypttext = data.length > RWCAP_SALT_LENGTH + RWCAP_MAC_LENGTH ? data.subarray(RWCAP_SALT_LENGTH, data.length - RWCAP_MAC_LENGTH) : new Uint8Array(0)
  if (crypttext.length === 0) return crypttext
  return aesCtr(rwcapKey(salt, writekey), crypttext)
}

/** True when the field's mac matches (for diagnostics and tests; readers do not require it). */
export function rwCapMacValid (writekey: Uint8Array, data: Uint8Array): boolean {
  if (data.length < RWCAP_SALT_LENGTH + RWCAP_MAC_LENGTH) return false
  const salt = data.subarray(0, RWCAP_SALT_LENGTH)
  const body = data.subarray(0, data.length - RWCAP_MAC_LENGTH)
  const mac = tahoeHmac(rwcapKey(salt, writekey), body)
  const got = data.subarray(data.length - RWCAP_MAC_LENGTH)
  return mac.every((b, i) => b === got[i])
}
