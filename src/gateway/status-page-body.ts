/** The status page's markup: the header and one section per part of the status, filled in by the script. */
export const STATUS_PAGE_BODY = `<header>
  <h1>lafs-club node</h1>
  <span class="id" id="peer-id">…</span>
  <span class="live" id="live">connecting…</span>
</header>
<main>
  <section>
    <h2>Upload readiness</h2>
    <div class="ready"><span id="upload-ready" class="badge">…</span><span id="ready-text"></span></div>
    <dl class="kv" id="overview"></dl>
  </section>
  <section>
    <h2>Storage</h2>
    <dl class="kv" id="storage"></dl>
  </section>
  <section class="wide">
    <h2>Transfers in progress</h2>
    <div id="transfers"></div>
  </section>
  <section class="wide">
    <h2>Magic folders <span class="live" id="mf-live"></span></h2>
    <div id="magic-folders"><p class="empty">connecting…</p></div>
  </section>
  <section class="wide">
    <h2>Peers</h2>
    <div id="peers"></div>
  </section>
  <section>
    <h2>Clubs</h2>
    <div id="club-warnings"></div>
    <div id="clubs"></div>
    <h3>Servers asking to join</h3>
    <div id="club-requests"></div>
  </section>
  <section>
    <h2>Accounts on this server</h2>
    <div id="accounts"></div>
  </section>
  <section>
    <h2>Leases expiring soon</h2>
    <div id="leases"></div>
  </section>
  <section>
    <h2>Self-repair</h2>
    <div id="repair"></div>
    <h3>Recent repairs</h3>
    <div id="repairs"></div>
  </section>
  <section id="helper-section" hidden>
    <h2>Upload helper</h2>
    <div id="helper"></div>
    <h3>Clients</h3>
    <div id="helper-clients"></div>
  </section>
  <section>
    <h2>Recent corrupt-share advisories</h2>
    <div id="corruption"></div>
  </section>
  <section class="wide">
    <h2>Storage servers as this node saw them <span class="live" id="reputation-total"></span></h2>
    <div id="reputation"></div>
  </section>
</main>
`
