/**
 * Club IDs are IPNS names: the club's Ed25519 public key as a CIDv1 with the
 * libp2p-key codec, written in base36 (`k51…`). A libp2p peer-id string of the
 * same key (`12D3KooW…`) is accepted on input and normalised.
 */
import { publicKeyFromMultihash } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id'
import { multihashToIPNSRoutingKey } from 'ipns'
import { base36 } from 'multiformats/bases/base36'
import { InvalidClubIdError } from './errors.js'
import type { Ed25519PublicKey, PublicKey } from '@libp2p/interface'

export function clubIdFromPublicKey (publicKey: PublicKey): string {
  if (publicKey.type !== 'Ed25519') throw new InvalidClubIdError(`club keys are Ed25519, got ${publicKey.type}`)
  return peerIdFromPublicKey(publicKey).toCID().toString(base36)
}

/** The club's public key; throws InvalidClubIdError for anything but an Ed25519 IPNS name. */
export function publicKeyFromClubId (clubId: string): Ed25519PublicKey {
  let publicKey
  try {
    const peerId = clubId.startsWith('k') ? peerIdFromString(clubId, base36) : peerIdFromString(clubId)
    if (peerId.type !== 'Ed25519') throw new Error(`key type ${peerId.type}`)
    publicKey = publicKeyFromMultihash(peerId.toMultihash())
  } catch (err: any) {
    throw new InvalidClubIdError(`"${clubId}" is not a club ID (expected an Ed25519 IPNS name like k51…): ${err?.message ?? err}`, { cause: err })
  }
  return publicKey as Ed25519PublicKey
}

/** Canonical `k51…` form of a club ID given in either accepted form. */
export function normalizeClubId (clubId: string): string {
  return clubIdFromPublicKey(publicKeyFromClubId(clubId.trim()))
}

/** The DHT key of the club's roster: `/ipns/` + the key's identity multihash. */
export function clubRoutingKey (clubId: string): Uint8Array {
  return multihashToIPNSRoutingKey(publicKeyFromClubId(clubId).toMultihash())
}
