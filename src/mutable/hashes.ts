/**
 * The tagged hashes of Tahoe's mutable files (allmydata.util.hashutil):
 * the key chain privkey → writekey → readkey → storage index, the
 * public-key fingerprint, the per-segment data key, and write enablers.
 * All are SHA-256d over netstring(tag) || value, as for CHK.
 */
import { taggedHash, taggedPairHash } from '../immutable/index.js'

export const MUTABLE_TAGS = {
  writekey: 'allmydata_mutable_privkey_to_writekey_v1',
  writeEnablerMaster: 'allmydata_mutable_writekey_to_write_enabler_master_v1',
  writeEnabler: 'allmydata_mutable_write_enabler_master_and_nodeid_to_write_enabler_v1',
  fingerprint: 'allmydata_mutable_pubkey_to_fingerprint_v1',
  readkey: 'allmydata_mutable_writekey_to_readkey_v1',
  datakey: 'allmydata_mutable_readkey_to_datakey_v1',
  storageIndex: 'allmydata_mutable_readkey_to_storage_index_v1'
} as const

/** AES-128 keys and storage indexes are 16 bytes; fingerprints and hashes 32. */
export const KEY_LENGTH = 16
export const HASH_LENGTH = 32
export const SALT_LENGTH = 16

/** Write key from the signature key serialised as PKCS#8 DER (what Tahoe hashes). */
export function writekeyHash (privateKeyPkcs8Der: Uint8Array): Uint8Array {
  return taggedHash(MUTABLE_TAGS.writekey, privateKeyPkcs8Der, KEY_LENGTH)
}

export function readkeyHash (writekey: Uint8Array): Uint8Array {
  return taggedHash(MUTABLE_TAGS.readkey, writekey, KEY_LENGTH)
}

export function mutableStorageIndexHash (readkey: Uint8Array): Uint8Array {
  return taggedHash(MUTABLE_TAGS.storageIndex, readkey, KEY_LENGTH)
}

/** Fingerprint of the verification key serialised as SubjectPublicKeyInfo DER. */
export function fingerprintHash (publicKeySpkiDer: Uint8Array): Uint8Array {
  return taggedHash(MUTABLE_TAGS.fingerprint, publicKeySpkiDer)
}

/** The AES key of one segment (SDMF: of the whole file): Hp(tag, salt, readkey) truncated to 16 bytes. */
export function dataKeyHash (salt: Uint8Array, readkey: Uint8Array): Uint8Array {
  return taggedPairHash(MUTABLE_TAGS.datakey, salt, readkey).subarray(0, KEY_LENGTH)
}

export function writeEnablerMasterHash (writekey: Uint8Array): Uint8Array {
  return taggedHash(MUTABLE_TAGS.writeEnablerMaster, writekey)
}

/**
 * The write enabler one server keeps for a slot. Tahoe passes the server's
 * 20-byte tub id as `serverId`; which bytes lafs-club passes (the libp2p
 * peer ID) is the storage layer's decision, written down in README.md.
 */
export function writeEnablerHash (writekey: Uint8Array, serverId: Uint8Array): Uint8Array {
  return taggedPairHash(MUTABLE_TAGS.writeEnabler, writeEnablerMasterHash(writekey), serverId)
}
