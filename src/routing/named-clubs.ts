/**
 * Clubs that holders found through the DHT name in their have answers.
 *
 * Provider records spread slowly: a server announces a storage index only
 * after it stored a share, and each announcement is a DHT walk of its own
 * (tens of seconds while servers come and go). A reader with a plain cap may
 * find one or two holders long before it finds k. Those holders say which
 * clubs list them; the club's roster then names every other server of the
 * club, and one have round finds the rest. A holder's word is only a hint:
 * the roster is verified under the club key like any other, and shares are
 * believed only from the servers that answer for them.
 */

/** At most this many named clubs are tried per locate: a lying holder can waste them (each bounded by the budget and deadline), not the locate's other ways. */
export const MAX_NAMED_CLUBS_TRIED = 2

/** How long the DHT way runs alone after a holder named a club, before the club is asked beside it. */
export const NAMED_CLUB_DELAY_MS = 1_000

export class NamedClubs {
  private readonly votes = new Map<string, number>()

  /** Counts one holder's clubs (each club once per holder). */
  add (clubs: readonly string[] | undefined): void {
    for (const club of new Set(clubs ?? [])) this.votes.set(club, (this.votes.get(club) ?? 0) + 1)
  }

  get size (): number { return this.votes.size }

  /** Most-named first; ties keep the order they were first named in. */
  ranked (): string[] {
    return [...this.votes.entries()].sort((a, b) => b[1] - a[1]).map(([club]) => club).slice(0, MAX_NAMED_CLUBS_TRIED)
  }
}
