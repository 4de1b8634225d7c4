// The seeded mail of Kestrel Systems' staff. Each message lands in every mailbox of `boxes`
// ("<login>:<folder>:<Maildir flags>", S seen, F flagged, R replied, D draft; no flags is unread).
// `reply` names the message it answers (In-Reply-To and References follow from it).
export const people = {
  alice: { name: "Alice Moreau", email: "alice@kestrel.example" },
  bob: { name: "Bob Okafor", email: "bob@kestrel.example" },
  carol: { name: "Carol Lindqvist", email: "carol@kestrel.example" },
  dana: { name: "Dana Whitfield", email: "dana@kestrel.example" },
  erik: { name: "Erik Nilsson", email: "erik@kestrel.example" },
  support: { name: "Kestrel Support", email: "support@kestrel.example" },
  sales: { name: "Kestrel Sales", email: "sales@kestrel.example" },
  ci: { name: "Kestrel CI", email: "ci@kestrel.example" },
  priya: { name: "Priya Shah", email: "priya.shah@acme-logistics.example" },
  jonas: { name: "Jonas Berg", email: "jonas.berg@bluewater-freight.example" },
  mikko: { name: "Mikko Virtanen", email: "mikko.virtanen@polarfoods.example" },
  oliver: { name: "Oliver Grant", email: "oliver.grant@northwind.example" },
  sofia: { name: "Sofia Costa", email: "sofia.costa@redline-haulage.example" },
  lars: { name: "Lars Haugen", email: "lars.haugen@fjordcouriers.example" },
  elena: { name: "Elena Ruiz", email: "elena.ruiz@sunrise-deliveries.example" },
  news: { name: "Logistics Weekly", email: "newsletter@logistics-weekly.example" },
  cloud: { name: "Nimbus Cloud Billing", email: "billing@nimbus-cloud.example" },
  advisories: { name: "OSS Security Advisories", email: "advisories@oss-security.example" },
  phish: { name: "Kestrel IT Helpdesk", email: "it-helpdesk@kestre1-systems.example" },
  payroll: { name: "Payroll Services", email: "payroll@kestre1-systems.example" },
  travel: { name: "TAP Air Portugal", email: "no-reply@flytap.example" },
};

const SIGN = {
  dana: "Dana Whitfield\nAccount Manager, Kestrel Systems\nAvenida da Liberdade 200, 1250-147 Lisboa\n+351 21 000 4410",
  carol: "Carol Lindqvist\nSupport Lead, Kestrel Systems\nsupport@kestrel.example | +351 21 000 4420",
  erik: "Erik Nilsson\nSupport & Sales Engineer, Kestrel Systems",
  alice: "Alice Moreau\nEngineering Lead, Kestrel Systems",
  bob: "Bob",
};

const csv = (rows) => rows.map((r) => r.join(",")).join("\n") + "\n";
// A small but valid one-page PDF with a line of text.
const pdf = (text) => {
  const stream = `BT /F1 12 Tf 72 720 Td (${text}) Tj ET`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let out = "%PDF-1.4\n";
  const offsets = objects.map((o, i) => {
    const at = out.length;
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
    return at;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("")}`;
  return `${out}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
};

export const messages = [
  // ---------------------------------------------------------------- dana (sales)
  {
    id: "polar-new-office-20260310",
    from: "mikko",
    to: ["dana"],
    date: "2026-03-10T08:42:00Z",
    subject: "Our new office address from 1 April",
    body: `
Hi Dana,

A quick note for your records: Polar Foods moves to a new office. From 1 April our address is

Polar Foods Oy
Itämerenkatu 9
00180 Helsinki
Finland

Please use it for invoices, contracts and anything you send us by post. Phone numbers and email
addresses stay the same.

Best regards,
Mikko Virtanen
Operations, Polar Foods Oy`,
    boxes: ["dana:INBOX:S"],
  },
  {
    id: "northwind-25-drivers-20260317",
    from: "oliver",
    to: ["dana"],
    date: "2026-03-17T10:05:00Z",
    subject: "Licence extension for 25 more drivers",
    body: `
Hello Dana,

We are taking on the Leeds depot and need 25 more drivers on Kestrel Mobile from 1 May.
Could you send me a quote for 25 additional MOB-DRV licences starting 1 May, on the same terms
as our current contract?

If the quote reaches me before the end of the month I can get it signed off in our April budget.

Kind regards,
Oliver Grant
Northwind Traders Ltd
12 Deansgate, M3 2BW Manchester`,
    boxes: ["dana:INBOX:"],
  },
  {
    id: "acme-expansion-20260302",
    from: "priya",
    to: ["dana"],
    date: "2026-03-02T09:15:00Z",
    subject: "Acme fleet expansion: 40 more vehicles in Q2",
    body: `
Hi Dana,

As discussed on the phone, we are adding 40 vehicles in Berlin and Potsdam during Q2. I attach our
plan per month. We would need Dispatch Pro for the new vehicles and driver licences for the new
drivers. Can you prepare an offer?

Thanks,
Priya Shah
Operations Manager, Acme Logistics GmbH`,
    attachments: [
      {
        name: "acme-fleet-plan-q2.csv",
        type: "text/csv",
        content: csv([
          ["month", "depot", "new_vehicles", "new_drivers"],
          ["2026-04", "Berlin-Kreuzberg", 15, 18],
          ["2026-05", "Potsdam", 15, 16],
          ["2026-06", "Berlin-Spandau", 10, 12],
        ]),
      },
    ],
    boxes: ["dana:INBOX:RS"],
  },
  {
    id: "re-acme-expansion-20260303",
    from: "dana",
    to: ["priya"],
    date: "2026-03-03T11:20:00Z",
    reply: "acme-expansion-20260302",
    subject: "Re: Acme fleet expansion: 40 more vehicles in Q2",
    body: `
Hi Priya,

Thanks for the plan. I will put together an offer with 40 Dispatch Pro licences and 46 driver
licences, and an onboarding workshop for the Potsdam dispatchers. You will have it this week.

Best,
${SIGN.dana}`,
    boxes: ["dana:Sent:S"],
  },
  {
    id: "re-re-acme-expansion-20260304",
    from: "priya",
    to: ["dana"],
    date: "2026-03-04T07:58:00Z",
    reply: "re-acme-expansion-20260303",
    subject: "Re: Acme fleet expansion: 40 more vehicles in Q2",
    body: `
Perfect, thank you Dana. Please address the offer to me and copy our purchasing team
(purchasing@acme-logistics.example).

Priya`,
    boxes: ["dana:INBOX:FS"],
  },
  {
    id: "sunrise-renewal-20260219",
    from: "elena",
    to: ["dana"],
    date: "2026-02-19T14:30:00Z",
    subject: "Sunrise Deliveries: renewal of our Dispatch Standard licences",
    body: `
Dear Dana,

Our 60 Dispatch Standard licences renew on 1 April. We would like to renew for another year and
add Premium support. Please send the renewal documents to me.

Un saludo,
Elena Ruiz
Sunrise Deliveries SL, Calle de Alcalá 90, 28009 Madrid`,
    boxes: ["dana:Customers:RS"],
  },
  {
    id: "re-sunrise-renewal-20260220",
    from: "dana",
    to: ["elena"],
    date: "2026-02-20T09:02:00Z",
    reply: "sunrise-renewal-20260219",
    subject: "Re: Sunrise Deliveries: renewal of our Dispatch Standard licences",
    body: `
Dear Elena,

Thank you, happy to hear it. The renewal with Premium support is attached as a PDF; please sign
and return it by 25 March.

Kind regards,
${SIGN.dana}`,
    attachments: [{ name: "Sunrise-renewal-2026.pdf", type: "application/pdf", content: pdf("Renewal: 60 x DSP-STD, SUP-PREM, 12 months from 2026-04-01") }],
    boxes: ["dana:Sent:S"],
  },
  {
    id: "fjord-pilot-feedback-20260226",
    from: "lars",
    to: ["dana"],
    cc: ["erik"],
    date: "2026-02-26T13:11:00Z",
    subject: "Fjord Couriers pilot feedback",
    body: `
Hi Dana, hi Erik,

The four-week pilot in Oslo went well: 18 couriers, 2,340 deliveries, on-time rate up from 91% to
96%. Two wishes before we roll out: bike routes that avoid tram lines, and a Norwegian translation
of the driver app.

We'll decide on the rollout in our board meeting on 20 March.

Lars Haugen
Fjord Couriers AS, Karl Johans gate 7, 0154 Oslo`,
    boxes: ["dana:Customers:S", "erik:INBOX:S"],
  },
  {
    id: "bluewater-invoice-question-20260311",
    from: "jonas",
    to: ["dana"],
    date: "2026-03-11T15:47:00Z",
    subject: "Question about invoice KS-2026-0211",
    body: `
Hello Dana,

Invoice KS-2026-0211 (attached) lists 32 Dispatch Standard licences, but we cancelled 4 of them
in January. Could you check and send a corrected invoice for 28?

Regards,
Jonas Berg
Finance, Bluewater Freight AG`,
    attachments: [{ name: "KS-2026-0211.pdf", type: "application/pdf", content: pdf("Invoice KS-2026-0211: 32 x DSP-STD at 30 EUR = 960 EUR") }],
    boxes: ["dana:INBOX:S"],
  },
  {
    id: "redline-meeting-20260318",
    from: "sofia",
    to: ["dana"],
    date: "2026-03-18T08:20:00Z",
    subject: "Redline Haulage: contract renewal meeting",
    body: `
Olá Dana,

Our contract ends in June. Could we meet in Porto in the first half of April to talk about the
renewal? Tuesdays and Thursdays suit me best.

Obrigada,
Sofia Costa
Redline Haulage Lda, Rua de Santa Catarina 310, 4000-443 Porto`,
    boxes: ["dana:INBOX:"],
  },
  {
    id: "polar-quote-20260225",
    from: "dana",
    to: ["mikko"],
    date: "2026-02-25T10:40:00Z",
    subject: "Quote Q-2026-031 for Polar Foods",
    body: `
Hi Mikko,

Please find attached our quote Q-2026-031 for the Customer Portal and 20 driver licences.
It is valid until 31 March.

Best regards,
${SIGN.dana}`,
    attachments: [
      {
        name: "Q-2026-031.csv",
        type: "text/csv",
        content: csv([
          ["code", "description", "quantity", "unit_price_eur", "period"],
          ["PORTAL", "Customer Portal", 1, 500, "month"],
          ["MOB-DRV", "Mobile driver licence", 20, 12, "month"],
        ]),
      },
    ],
    boxes: ["dana:Quotes:S", "dana:Sent:S"],
  },
  {
    id: "onboarding-sunrise-20260305",
    from: "erik",
    to: ["dana"],
    date: "2026-03-05T16:02:00Z",
    subject: "Onboarding workshop dates for Sunrise",
    body: `
Dana,

I can run the onboarding workshop (WS-ONB) for Sunrise in Madrid on 8 or 9 April. Which day
should I offer Elena?

${SIGN.erik}`,
    boxes: ["dana:INBOX:RS", "erik:Sent:S"],
  },
  {
    id: "re-onboarding-sunrise-20260305",
    from: "dana",
    to: ["erik"],
    date: "2026-03-05T16:40:00Z",
    reply: "onboarding-sunrise-20260305",
    subject: "Re: Onboarding workshop dates for Sunrise",
    body: `
9 April please, they have a depot meeting on the 8th.

Dana`,
    boxes: ["dana:Sent:S", "erik:INBOX:S"],
  },
  {
    id: "newsletter-20260316",
    from: "news",
    to: ["dana"],
    date: "2026-03-16T06:00:00Z",
    subject: "Logistics Weekly: five trends in last-mile route optimisation",
    headers: ["List-Unsubscribe: <mailto:unsubscribe@logistics-weekly.example>", "Precedence: bulk"],
    body: `
LOGISTICS WEEKLY - 16 March 2026

1. Cargo bikes overtake vans in three European capitals
2. Dynamic time windows: what customers really want
3. EV fleets and charging-aware routing
4. Interview: the dispatcher of the future
5. Events: TransLog Hamburg, 21-23 April

You receive this newsletter because you subscribed at logistics-weekly.example.`,
    boxes: ["dana:INBOX:", "erik:INBOX:S"],
  },
  // ---------------------------------------------------------------- carol (support lead)
  {
    id: "acme-barcode-crash-20260318",
    from: "priya",
    to: ["carol"],
    date: "2026-03-18T07:31:00Z",
    subject: "Driver app crashes when scanning barcodes",
    body: `
Hello Carol,

Since this morning Kestrel Mobile 1.9.2 on Android 14 crashes when our drivers scan a parcel
barcode: the camera opens, the scan beeps, and the app closes. 12 drivers are affected so far,
all on Samsung Galaxy XCover 7 phones. Drivers on Android 13 are fine.

The crash log from one of the phones is attached. This is blocking deliveries in Berlin; please
treat it as urgent.

Priya Shah
Operations Manager, Acme Logistics GmbH`,
    attachments: [
      {
        name: "crash-log-xcover7.txt",
        type: "text/plain",
        content:
          "2026-03-18 06:58:12.441 E/AndroidRuntime: FATAL EXCEPTION: CameraX-analysis\n" +
          "Process: com.kestrel.mobile, PID: 18211\n" +
          "java.lang.IllegalStateException: Image is already closed\n" +
          "    at com.kestrel.mobile.scan.BarcodeAnalyzer.analyze(BarcodeAnalyzer.kt:87)\n" +
          "    at androidx.camera.core.ImageAnalysis.lambda$setAnalyzer$2(ImageAnalysis.java:481)\n" +
          "App version: 1.9.2 (build 1920), Android 14 (SDK 34), SM-G556B\n",
      },
    ],
    boxes: ["carol:INBOX:"],
  },
  {
    id: "redline-weight-limits-20260316",
    from: "sofia",
    to: ["support"],
    date: "2026-03-16T09:12:00Z",
    subject: "Route optimiser ignores our weight limits",
    body: `
Hello support,

The route optimiser plans our 7.5 t trucks over the Ponte Luiz I and through streets with a
3.5 t limit in Porto's old town, although the vehicle profiles have the right weights. Routes
from last week were correct. Can you look into it?

Sofia Costa
Redline Haulage Lda`,
    boxes: ["carol:INBOX:S", "erik:INBOX:"],
  },
  {
    id: "bluewater-invoice-address-20260312",
    from: "jonas",
    to: ["support"],
    date: "2026-03-12T10:25:00Z",
    subject: "New invoice address",
    body: `
Hello,

Please send our invoices to our new finance office from now on:

Bluewater Freight AG - Finance
Großer Grasbrook 10
20457 Hamburg

Thank you,
Jonas Berg`,
    boxes: ["carol:INBOX:S", "erik:INBOX:S"],
  },
  {
    id: "fjord-portal-loop-20260309",
    from: "lars",
    to: ["support"],
    date: "2026-03-09T12:44:00Z",
    subject: "Portal login loop after password reset",
    body: `
Hi,

Two of our dispatchers reset their Customer Portal passwords and now get sent back to the login
page after signing in, over and over. Clearing cookies does not help.

Lars`,
    boxes: ["carol:INBOX:RS", "erik:INBOX:S"],
  },
  {
    id: "re-fjord-portal-loop-20260309",
    from: "carol",
    to: ["lars"],
    cc: ["support"],
    date: "2026-03-09T14:05:00Z",
    reply: "fjord-portal-loop-20260309",
    subject: "Re: Portal login loop after password reset",
    body: `
Hi Lars,

Thanks for the report. A stale session token was kept after the reset; we have cleared the
sessions of both accounts. Could you ask them to sign in again and tell me if it works?

Best regards,
${SIGN.carol}`,
    boxes: ["carol:Sent:S", "erik:INBOX:S"],
  },
  {
    id: "re-re-fjord-portal-loop-20260310",
    from: "lars",
    to: ["carol"],
    date: "2026-03-10T07:50:00Z",
    reply: "re-fjord-portal-loop-20260309",
    subject: "Re: Portal login loop after password reset",
    body: `
Works again for both, thanks Carol!

Lars`,
    boxes: ["carol:INBOX:S"],
  },
  {
    id: "sunrise-stale-routes-20260313",
    from: "elena",
    to: ["support"],
    date: "2026-03-13T06:40:00Z",
    subject: "Drivers see yesterday's routes in the app",
    body: `
Good morning,

Since the update last night, about half of our drivers see yesterday's routes in Kestrel Mobile
when they start their shift. Pulling down to refresh fixes it, but drivers don't know that.

Elena Ruiz
Sunrise Deliveries SL`,
    boxes: ["carol:Escalations:FRS", "erik:INBOX:S"],
  },
  {
    id: "fwd-stale-routes-20260313",
    from: "carol",
    to: ["bob"],
    date: "2026-03-13T07:15:00Z",
    reply: "sunrise-stale-routes-20260313",
    subject: "Fwd: Drivers see yesterday's routes in the app",
    body: `
Bob, can you look at this today? Sunrise has about 70 drivers on the road by 8:00.

Carol

-------- Original Message --------
Subject: Drivers see yesterday's routes in the app
Date: 2026-03-13 06:40
From: Elena Ruiz <elena.ruiz@sunrise-deliveries.example>
To: support@kestrel.example

Since the update last night, about half of our drivers see yesterday's routes in Kestrel Mobile
when they start their shift. Pulling down to refresh fixes it, but drivers don't know that.`,
    boxes: ["carol:Sent:S", "bob:INBOX:RS"],
  },
  {
    id: "re-fwd-stale-routes-20260313",
    from: "bob",
    to: ["carol"],
    date: "2026-03-13T09:48:00Z",
    reply: "fwd-stale-routes-20260313",
    subject: "Re: Fwd: Drivers see yesterday's routes in the app",
    body: `
Found it: the route cache is keyed by driver only, not by day, so a cold start shows the last
cached plan. Hotfix 1.9.2-hf1 is in review; I'll ship it this afternoon.

Bob`,
    boxes: ["carol:Escalations:S", "bob:Sent:S"],
  },
  {
    id: "support-rota-april-20260320",
    from: "alice",
    to: ["carol", "erik"],
    date: "2026-03-20T11:00:00Z",
    subject: "Support rota for April",
    body: `
Hi both,

Here is the on-call rota for April (attached). Bob covers the two weekends Erik is away.
Tell me by Wednesday if anything clashes.

${SIGN.alice}`,
    attachments: [
      {
        name: "support-rota-2026-04.csv",
        type: "text/csv",
        content: csv([
          ["week", "primary", "secondary"],
          ["2026-W14", "carol", "erik"],
          ["2026-W15", "erik", "bob"],
          ["2026-W16", "carol", "bob"],
          ["2026-W17", "erik", "carol"],
        ]),
      },
    ],
    boxes: ["carol:INBOX:S", "erik:INBOX:", "alice:Sent:S"],
  },
  {
    id: "polar-csv-export-20260319",
    from: "mikko",
    to: ["support"],
    date: "2026-03-19T13:22:00Z",
    subject: "Export of delivery reports to CSV",
    body: `
Hello,

Is it possible to export the monthly delivery report from the Customer Portal as CSV instead of
PDF? Our controller wants to load it into Excel.

Mikko Virtanen
Polar Foods Oy`,
    boxes: ["carol:INBOX:", "erik:INBOX:"],
  },
  {
    id: "phish-mailbox-full-20260319",
    from: "phish",
    to: ["carol"],
    date: "2026-03-19T03:12:00Z",
    subject: "Your mailbox storage is full",
    body: `
Dear user,

Your mailbox has exceeded its storage limit of 2 GB. Incoming messages will be rejected within
24 hours. Click below to verify your account and get more space:

http://kestre1-systems.example/webmail/verify

IT Helpdesk`,
    boxes: ["carol:Junk:"],
  },
  {
    id: "carol-draft-faq-20260317",
    from: "carol",
    to: ["support"],
    date: "2026-03-17T17:30:00Z",
    subject: "FAQ draft: resetting a driver's PIN",
    body: `
Draft for the help centre:

1. In Dispatch, open Drivers and select the driver.
2. Choose "Reset PIN"; the driver gets an SMS with a one-time code.
3. ...`,
    boxes: ["carol:Drafts:DS"],
  },
  // ---------------------------------------------------------------- alice (engineering lead)
  {
    id: "release-checklist-24-20260305",
    from: "bob",
    to: ["alice"],
    date: "2026-03-05T10:10:00Z",
    subject: "Dispatch 2.4 release checklist",
    body: `
Alice,

Checklist for 2.4, planned for 24 March:

- [x] migrations tested on a copy of production
- [x] API changelog
- [ ] load test of the optimiser v2 (Thursday)
- [ ] release notes for customers (Carol)
- [ ] go/no-go meeting on 23 March

Anything missing?

Bob`,
    boxes: ["alice:Releases:RS", "bob:Sent:S"],
  },
  {
    id: "re-release-checklist-24-20260305",
    from: "alice",
    to: ["bob"],
    date: "2026-03-05T11:30:00Z",
    reply: "release-checklist-24-20260305",
    subject: "Re: Dispatch 2.4 release checklist",
    body: `
Add a rollback rehearsal on staging, and check the webhook retry change with Fjord's sandbox.
Otherwise good.

${SIGN.alice}`,
    boxes: ["alice:Sent:S", "bob:INBOX:RS"],
  },
  {
    id: "re-re-release-checklist-24-20260306",
    from: "bob",
    to: ["alice"],
    date: "2026-03-06T08:55:00Z",
    reply: "re-release-checklist-24-20260305",
    subject: "Re: Dispatch 2.4 release checklist",
    body: `
Both added. Rollback rehearsal is booked for Monday 9:30.

Bob`,
    boxes: ["alice:Releases:S", "bob:Sent:S"],
  },
  {
    id: "ci-1842-failed-20260319",
    from: "ci",
    to: ["alice", "bob"],
    date: "2026-03-19T16:21:00Z",
    subject: "[CI] dispatch main #1842 failed",
    headers: ["Auto-Submitted: auto-generated"],
    body: `
Build #1842 of dispatch (main) failed after 6m 12s.

Failed job: test-integration
  OptimiserV2Test.respects_vehicle_weight_limits: expected 3.5t limit on segment 18822, got none

Commit 9f3c2a1 by bob: "Speed up segment lookup with a bounding-box index"`,
    boxes: ["alice:INBOX:", "bob:INBOX:S"],
  },
  {
    id: "ci-1843-fixed-20260319",
    from: "ci",
    to: ["alice", "bob"],
    date: "2026-03-19T17:02:00Z",
    subject: "[CI] dispatch main #1843 fixed",
    headers: ["Auto-Submitted: auto-generated"],
    body: `
Build #1843 of dispatch (main) passed in 5m 48s. The build is back to normal.

Commit 4e1d0b7 by bob: "Keep weight restrictions in the segment index"`,
    boxes: ["alice:INBOX:", "bob:INBOX:S"],
  },
  {
    id: "offsite-porto-20260312",
    from: "alice",
    to: ["bob", "carol", "dana", "erik"],
    date: "2026-03-12T12:00:00Z",
    subject: "Team offsite in Porto, 14-15 May",
    body: `
Hi all,

Save the date: our team offsite is in Porto on 14-15 May. We take the train from Santa
Apolónia on the 14th at 8:00 and are back on the 15th in the evening. Agenda and hotel
details follow. Tell me about food allergies by 15 April.

${SIGN.alice}`,
    boxes: ["alice:Sent:S", "bob:INBOX:S", "carol:INBOX:S", "dana:INBOX:S", "erik:INBOX:"],
  },
  {
    id: "nimbus-invoice-202602",
    from: "cloud",
    to: ["alice"],
    date: "2026-03-01T05:00:00Z",
    subject: "Your Nimbus Cloud invoice for February 2026",
    body: `
Hello Kestrel Systems,

Your invoice NC-2026-02-18831 for February 2026 is attached. Amount: 2,418.60 EUR, charged to
the card ending 4417 on 5 March.

Nimbus Cloud Billing`,
    attachments: [{ name: "NC-2026-02-18831.pdf", type: "application/pdf", content: pdf("Nimbus Cloud invoice NC-2026-02-18831: 2418.60 EUR") }],
    boxes: ["alice:Archive:S"],
  },
  {
    id: "phish-payroll-20260320",
    from: "payroll",
    to: ["alice"],
    date: "2026-03-20T02:47:00Z",
    subject: "Urgent: verify your payroll details before Friday",
    body: `
Dear employee,

Due to a system upgrade, all staff must re-enter their bank details before Friday or the March
salary will be delayed. Log in here: http://kestre1-systems.example/payroll

Payroll Services`,
    boxes: ["alice:INBOX:"],
  },
  {
    id: "sso-request-20260316",
    from: "erik",
    to: ["alice"],
    date: "2026-03-16T15:30:00Z",
    subject: "Customer asks for SSO in the Portal",
    body: `
Alice,

Northwind and Acme both asked whether the Customer Portal can do single sign-on with Azure AD.
Is SAML or OIDC on the roadmap? I'd like to give them a date.

${SIGN.erik}`,
    boxes: ["alice:INBOX:FS", "erik:Sent:S"],
  },
  {
    id: "alice-draft-mobile2-20260318",
    from: "alice",
    to: ["bob"],
    date: "2026-03-18T18:10:00Z",
    subject: "Mobile 2.0 architecture notes",
    body: `
Bob, first notes for Mobile 2.0:

- offline-first sync of the day's route (no more stale routes)
- scanning on CameraX 1.4 with ML Kit
- one codebase for Android and iOS?`,
    boxes: ["alice:Drafts:DS"],
  },
  {
    id: "flight-porto-20260313",
    from: "travel",
    to: ["alice"],
    date: "2026-03-13T09:30:00Z",
    subject: "Your booking confirmation TP-7QX2LM",
    body: `
Booking TP-7QX2LM is confirmed.

TP 1947 Lisbon (LIS) - Porto (OPO), 14 May 2026, 07:10
TP 1962 Porto (OPO) - Lisbon (LIS), 15 May 2026, 19:40
Passenger: Alice Moreau`,
    boxes: ["alice:INBOX:S"],
  },
  // ---------------------------------------------------------------- bob (developer)
  {
    id: "review-webhook-retry-20260311",
    from: "alice",
    to: ["bob"],
    date: "2026-03-11T14:00:00Z",
    subject: "Code review: webhook retry with backoff",
    body: `
Bob,

Reviewed your webhook retry branch. Two things:
1. The backoff should cap at 10 minutes, not grow forever.
2. Log the attempt number with each retry so support can see it.

Otherwise ready to merge.

${SIGN.alice}`,
    boxes: ["bob:Code review:RS", "alice:Sent:S"],
  },
  {
    id: "re-review-webhook-retry-20260311",
    from: "bob",
    to: ["alice"],
    date: "2026-03-11T16:45:00Z",
    reply: "review-webhook-retry-20260311",
    subject: "Re: Code review: webhook retry with backoff",
    body: `
Done: capped at 10 minutes, and the attempt number is in the log line. Merging after CI.

Bob`,
    boxes: ["bob:Sent:S", "alice:INBOX:S"],
  },
  {
    id: "advisory-zxing-20260317",
    from: "advisories",
    to: ["bob"],
    date: "2026-03-17T20:05:00Z",
    subject: "[advisory] zxing-android-embedded 4.3.0: crash on Android 14 camera frames",
    body: `
Advisory OSSA-2026-0412

Package: zxing-android-embedded
Affected: 4.3.0
Fixed in: 4.3.1

Applications scanning with CameraX on Android 14 may crash with "Image is already closed" when a
frame is analysed after the analyzer returned. Upgrade to 4.3.1.`,
    boxes: ["bob:INBOX:"],
  },
  {
    id: "fjord-rate-limits-20260318",
    from: "erik",
    to: ["bob"],
    date: "2026-03-18T11:25:00Z",
    subject: "API rate limits for Fjord Couriers",
    body: `
Hi Bob,

Fjord Couriers will import 5,000 jobs every morning through the Dispatch API. What is our rate
limit per API key, and can we raise it for them during the import window (05:00-06:00)?

${SIGN.erik}`,
    boxes: ["bob:INBOX:", "erik:Sent:S"],
  },
  {
    id: "bob-standup-notes-20260319",
    from: "bob",
    to: ["alice"],
    cc: ["carol"],
    date: "2026-03-19T09:20:00Z",
    subject: "Standup notes 19 March",
    body: `
- Bob: hotfix 1.9.2-hf1 for stale routes shipped; looking at the weight limit regression next
- Alice: Mobile 2.0 planning
- Carol: release notes for 2.4`,
    boxes: ["bob:Sent:S", "alice:INBOX:S", "carol:INBOX:S"],
  },
  // ---------------------------------------------------------------- erik (support & sales engineer)
  {
    id: "sunrise-workshop-agenda-20260310",
    from: "elena",
    to: ["erik"],
    date: "2026-03-10T10:15:00Z",
    subject: "Onboarding workshop: agenda",
    body: `
Hi Erik,

Here is the agenda we would like for the onboarding workshop. Could you confirm the timing?

Elena`,
    attachments: [
      {
        name: "workshop-agenda.txt",
        type: "text/plain",
        content:
          "09:30 Welcome and goals\n10:00 Dispatch basics: depots, vehicles, drivers\n11:30 Route planning with time windows\n" +
          "13:00 Lunch\n14:00 Kestrel Mobile for drivers\n15:30 Customer Portal\n16:30 Questions\n",
      },
    ],
    boxes: ["erik:Onboarding:RS"],
  },
  {
    id: "re-sunrise-workshop-agenda-20260310",
    from: "erik",
    to: ["elena"],
    date: "2026-03-10T12:00:00Z",
    reply: "sunrise-workshop-agenda-20260310",
    subject: "Re: Onboarding workshop: agenda",
    body: `
Hi Elena,

The agenda works. I'll bring test devices for the Kestrel Mobile session. See you on 9 April.

${SIGN.erik}`,
    boxes: ["erik:Sent:S"],
  },
  {
    id: "fjord-test-accounts-20260319",
    from: "lars",
    to: ["erik"],
    date: "2026-03-19T08:05:00Z",
    subject: "Test accounts for our dispatchers",
    body: `
Hi Erik,

Could you set up three test accounts in the Dispatch sandbox for our dispatchers (Ingrid, Ola
and Kari) before the rollout training?

Lars`,
    boxes: ["erik:INBOX:"],
  },
  {
    id: "northwind-training-20260302",
    from: "oliver",
    to: ["sales"],
    date: "2026-03-02T13:40:00Z",
    subject: "Driver training materials",
    body: `
Hi,

Do you have training material for new drivers, ideally a short PDF or video? We onboard a lot of
seasonal drivers.

Oliver Grant
Northwind Traders Ltd`,
    boxes: ["dana:INBOX:S", "erik:INBOX:RS"],
  },
  {
    id: "re-northwind-training-20260302",
    from: "erik",
    to: ["oliver"],
    cc: ["sales"],
    date: "2026-03-02T15:10:00Z",
    reply: "northwind-training-20260302",
    subject: "Re: Driver training materials",
    body: `
Hi Oliver,

Attached is our two-page driver quick start. There is also a 6-minute video in the app under
Help > Getting started.

${SIGN.erik}`,
    attachments: [{ name: "Kestrel-Mobile-quick-start.pdf", type: "application/pdf", content: pdf("Kestrel Mobile quick start for drivers") }],
    boxes: ["erik:Sent:S", "dana:INBOX:S"],
  },
  // ---------------------------------------------------------------- engineering and support, late March
  {
    id: "ci-1850-failed-20260323",
    from: "ci",
    to: ["alice", "bob"],
    date: "2026-03-23T07:12:00Z",
    subject: "[CI] dispatch main #1850 failed: integration tests",
    body: `
Pipeline #1850 on dispatch/main failed at stage "integration".

  FAIL  routing/optimiser_test.go: TestWeightLimitHonoured (2.41s)
        planned load 19.2 t exceeds vehicle limit 18.0 t

Commit 7c41e09 by Bob Okafor: "optimiser: merge stops before capacity check"`,
    boxes: ["alice:INBOX:S", "bob:INBOX:"],
  },
  {
    id: "pg15-staging-window-20260323",
    from: "alice",
    to: ["bob"],
    date: "2026-03-23T09:30:00Z",
    subject: "PostgreSQL 15 upgrade window for staging",
    body: `
Bob,

Infra proposes Thursday 26 March, 19:00-21:00 Lisbon time, for the PostgreSQL 15 upgrade of
staging. Dispatch and the portal will be read-only during the window. Can you run the migration
smoke tests right after?

${SIGN.alice}`,
    boxes: ["bob:INBOX:RS", "alice:Sent:S"],
  },
  {
    id: "re-pg15-staging-window-20260323",
    from: "bob",
    to: ["alice"],
    date: "2026-03-23T10:05:00Z",
    reply: "pg15-staging-window-20260323",
    subject: "Re: PostgreSQL 15 upgrade window for staging",
    body: `
Thursday works. I'll run the smoke tests at 21:00 and post the results in #infra.

Bob`,
    boxes: ["alice:INBOX:", "bob:Sent:S"],
  },
  {
    id: "portal-export-timeout-20260323",
    from: "carol",
    to: ["alice"],
    date: "2026-03-23T11:40:00Z",
    subject: "Customer Portal: CSV export times out for large accounts",
    body: `
Hi Alice,

Three customers (Bluewater, Northwind, Sunrise) report that the delivery export in the Customer
Portal times out after 30 s when they pick a whole quarter. Timings I measured are attached.
Smaller ranges work. Is this a known limit?

${SIGN.carol}`,
    attachments: [
      {
        name: "portal-export-timings.csv",
        type: "text/csv",
        content: csv([
          ["account", "range", "rows", "seconds", "result"],
          ["Bluewater Freight AG", "2026-Q1", 48210, 30, "timeout"],
          ["Northwind Traders Ltd", "2026-Q1", 39877, 30, "timeout"],
          ["Sunrise Deliveries SL", "2026-Q1", 31002, 30, "timeout"],
          ["Sunrise Deliveries SL", "2026-03", 10450, 11.2, "ok"],
        ]),
      },
    ],
    boxes: ["alice:INBOX:RS", "carol:Sent:S"],
  },
  {
    id: "re-portal-export-timeout-20260323",
    from: "alice",
    to: ["carol"],
    date: "2026-03-23T15:20:00Z",
    reply: "portal-export-timeout-20260323",
    subject: "Re: Customer Portal: CSV export times out for large accounts",
    body: `
Known: the export builds the whole file before it sends the first byte. Bob is moving it to a
streamed download for portal 4.2. Until then, please suggest monthly exports.

${SIGN.alice}`,
    boxes: ["carol:INBOX:S", "alice:Sent:S"],
  },
  {
    id: "porto-train-20260324",
    from: "travel",
    to: ["bob"],
    date: "2026-03-24T08:00:00Z",
    subject: "Your booking confirmation: Lisboa Santa Apolónia to Porto Campanhã",
    body: `
Booking reference K7Q2XM

Passenger: Bob Okafor
Thursday 9 April 2026, Alfa Pendular 131, departs 07:39, arrives 10:28
Coach 4, seat 61

Show this email or the attached ticket on board.`,
    attachments: [{ name: "ticket-K7Q2XM.pdf", type: "application/pdf", content: pdf("Ticket K7Q2XM Lisboa - Porto 9 April 2026") }],
    boxes: ["bob:INBOX:S"],
  },
  {
    id: "incident-review-barcode-20260324",
    from: "alice",
    to: ["bob", "carol"],
    date: "2026-03-24T16:00:00Z",
    subject: "Incident review: 18 March driver app crash",
    body: `
Hi both,

Timeline of the 18 March crash on Android 14 attached. Root cause: the scanner analysed a camera
frame after it was closed (zxing-android-embedded 4.3.0). Fixed in Kestrel Mobile 1.9.3 with the
library upgrade. Review meeting Thursday 10:00, room Tejo.

${SIGN.alice}`,
    attachments: [
      {
        name: "incident-timeline-20260318.txt",
        type: "text/plain",
        content:
          "06:58 first crash reports from Acme drivers (Berlin)\n" +
          "08:15 Carol opens the incident, 12 drivers affected\n" +
          "11:40 Bob reproduces on a Galaxy XCover 7\n" +
          "16:20 1.9.3 with zxing 4.3.1 in internal testing\n",
      },
    ],
    boxes: ["bob:INBOX:", "carol:INBOX:S", "alice:Sent:S"],
  },
  {
    id: "release-notes-193-20260325",
    from: "bob",
    to: ["alice"],
    date: "2026-03-25T10:10:00Z",
    subject: "Kestrel Mobile 1.9.3 release notes (draft)",
    body: `
Alice,

Draft release notes attached. Can you check the wording of the crash fix before I send them to
carol for the customer announcement?

Bob`,
    attachments: [
      {
        name: "release-notes-1.9.3.md",
        type: "text/markdown",
        content:
          "# Kestrel Mobile 1.9.3\n\n" +
          "- Fixed: the app could close when scanning a parcel barcode on Android 14.\n" +
          "- Improved: faster sync of proof-of-delivery photos on slow networks.\n",
      },
    ],
    boxes: ["alice:INBOX:S", "bob:Sent:S"],
  },
  {
    id: "re-release-notes-193-20260325",
    from: "alice",
    to: ["bob"],
    date: "2026-03-25T11:00:00Z",
    reply: "release-notes-193-20260325",
    subject: "Re: Kestrel Mobile 1.9.3 release notes (draft)",
    body: `
Looks good. Say "Android 14 devices" rather than "Android 14" and send it on.

${SIGN.alice}`,
    boxes: ["bob:INBOX:S", "alice:Sent:S"],
  },
  {
    id: "weight-limits-ask-20260325",
    from: "carol",
    to: ["bob"],
    date: "2026-03-25T14:30:00Z",
    subject: "Redline's weight limit complaint",
    body: `
Bob,

Redline Haulage says the route optimiser plans loads above their trucks' weight limits (help desk
ticket "Route optimiser ignores our weight limits"). Is that the failing CI test from Monday? They
would like an answer before Friday.

${SIGN.carol}`,
    boxes: ["bob:INBOX:", "carol:Sent:S"],
  },
  {
    id: "advisory-openssl-20260326",
    from: "advisories",
    to: ["bob"],
    date: "2026-03-26T06:45:00Z",
    subject: "[advisory] openssl 3.0.13: denial of service in certificate parsing",
    body: `
Advisory OSSA-2026-0431

Package: openssl
Affected: 3.0.0 - 3.0.12
Fixed in: 3.0.13

A crafted certificate can make certificate verification use excessive CPU. Upgrade, or restart
services after the distribution's update.`,
    boxes: ["bob:INBOX:"],
  },
  {
    id: "offsite-agenda-20260326",
    from: "alice",
    to: ["bob", "carol"],
    cc: ["dana", "erik"],
    date: "2026-03-26T17:05:00Z",
    subject: "Porto offsite: agenda for 9-10 April",
    body: `
Hi all,

Agenda for the Porto offsite:
Thursday: roadmap 2026-H2, Dispatch Pro pricing, customer feedback from support.
Friday: hack day (pick a topic by Tuesday).

We meet at 11:00 at the hotel on Thursday.

${SIGN.alice}`,
    boxes: ["bob:INBOX:", "carol:INBOX:", "dana:Archive:S", "erik:Archive:S", "alice:Sent:S"],
  },
];
