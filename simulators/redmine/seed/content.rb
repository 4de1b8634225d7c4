# Wiki pages, news, forums and documents of Kestrel Systems, loaded by seed.rb.

def wiki(project, title, versions, parent: nil)
  p = PROJECTS[project]
  page = WikiPage.new(wiki: p.wiki, title: title)
  page.parent = p.wiki.find_page(parent) if parent
  versions.each_with_index do |(login, date, text, comment), n|
    at(t(date)) do
      User.current = USERS[login]
      page = WikiPage.find(page.id) if n > 0
      content = page.content || WikiContent.new(page: page)
      content.text = text
      content.author = USERS[login]
      content.comments = comment
      page.save_with_content(content) or raise "wiki page #{title}: #{page.errors.full_messages.join(', ')}"
    end
  end
end

wiki "dispatch", "Wiki", [
  ["alice", "2025-01-06 10:00", <<~TEXT, "Start page"],
    h1. Dispatch

    Dispatch is the platform behind every Kestrel delivery: the public REST API, the route optimiser and
    the notification service.

    * [[Architecture]]
    * [[API guidelines]]
    * [[Release process]]
    * [[On-call]]

    Current release: *2.3*. Next: *2.4* (route optimiser v2, webhook retries).
  TEXT
  ["alice", "2025-02-12 11:30", <<~TEXT, "2.3 released"],
    h1. Dispatch

    Dispatch is the platform behind every Kestrel delivery: the public REST API, the route optimiser and
    the notification service.

    * [[Architecture]]
    * [[API guidelines]]
    * [[Release process]]
    * [[On-call]]

    Current release: *2.3* (released 2025-02-12). Next: *2.4* (route optimiser v2, webhook retries), due end of April.
  TEXT
]
wiki "dispatch", "Architecture", [
  ["alice", "2025-01-07 15:00", <<~TEXT, "First version"],
    h1. Architecture

    |_. Component |_. Language |_. Owner |
    | dispatch-api | Ruby (Rails) | Bob |
    | optimiser | Python (OR-Tools) | Alice |
    | notifier | Go | Bob |
    | PostgreSQL 15 (jobs, depots, drivers) | | Alice |

    The API writes jobs to PostgreSQL and publishes events; the notifier sends webhooks, SMS and push
    notifications. The optimiser is called synchronously for single routes and through a queue for batches.
  TEXT
], parent: "Wiki"
wiki "dispatch", "API_guidelines", [
  ["bob", "2025-01-08 11:00", <<~TEXT, "From the team meeting"],
    h1. API guidelines

    # Every list endpoint is paginated (cursor, @limit@ at most 500).
    # POST endpoints accept an @Idempotency-Key@ header.
    # Times are ISO 8601 in UTC; depots carry an IANA time zone name.
    # Breaking changes only in a new major version (@/v3@).
  TEXT
  ["alice", "2025-03-10 10:30", <<~TEXT, "Error format for v3"],
    h1. API guidelines

    # Every list endpoint is paginated (cursor, @limit@ at most 500).
    # POST endpoints accept an @Idempotency-Key@ header.
    # Times are ISO 8601 in UTC; depots carry an IANA time zone name.
    # Breaking changes only in a new major version (@/v3@).
    # From v3, errors are RFC 9457 problem details (@application/problem+json@).
  TEXT
], parent: "Wiki"
wiki "dispatch", "Release_process", [
  ["bob", "2025-01-10 14:00", <<~TEXT, nil],
    h1. Release process

    # Close or move every open issue of the version.
    # Tag @vX.Y.0@ on main; CI builds and pushes the images.
    # Deploy to staging, run the smoke tests, then production (canary 10% for one hour).
    # Post a news item here and close the version.
  TEXT
], parent: "Wiki"
wiki "dispatch", "On-call", [
  ["alice", "2025-01-20 09:00", <<~TEXT, nil],
    h1. On-call

    Rotation: one week, handover on Mondays at 10:00 Lisbon time. Alerts page through the on-call phone.
    Runbooks live in the infrastructure wiki.
  TEXT
], parent: "Wiki"
wiki "mobile", "Wiki", [
  ["bob", "2025-01-06 11:00", <<~TEXT, nil],
    h1. Kestrel Mobile

    The driver app, native on iOS (Swift) and Android (Kotlin).

    * [[Supported devices]]
    * [[Offline sync]]
  TEXT
]
wiki "mobile", "Supported_devices", [
  ["bob", "2025-01-06 11:30", "h1. Supported devices\n\n* iOS 16 and later (fleet: iPhone 8, SE 2nd gen, 13)\n* Android 10 and later (fleet: Pixel 6 and 7, Galaxy XCover 6 Pro)\n", nil],
], parent: "Wiki"
wiki "mobile", "Offline_sync", [
  ["alice", "2025-02-05 16:00", <<~TEXT, "Design of the new queue"],
    h1. Offline sync

    Every change a driver makes is written to a local SQLite queue first, with a client-generated id.
    The sync worker sends the queue in order when there is a connection; the API ignores ids it has seen.
    Photos are uploaded separately and referenced by their content hash.
  TEXT
], parent: "Wiki"
wiki "portal", "Wiki", [
  ["bob", "2025-01-07 10:30", "h1. Customer Portal\n\nReact front end, Rails back end on the Dispatch API. See [[Billing]] for invoicing rules.\n", nil],
]
wiki "portal", "Billing", [
  ["bob", "2025-01-20 17:00", <<~TEXT, "Rules agreed with finance"],
    h1. Billing

    * Invoices are issued on the first working day of the month for the previous month.
    * VAT follows the customer's tax region (mainland 23%, Madeira 22%, Azores 16%).
    * Corrections are credit notes plus a new invoice, never edits.
  TEXT
], parent: "Wiki"
wiki "infra", "Wiki", [
  ["alice", "2025-01-08 11:30", "h1. Infrastructure\n\n* [[Runbooks]]\n* Clusters: @prod-eu-west@, @staging-eu-west@\n", nil],
]
wiki "infra", "Runbooks", [
  ["alice", "2025-02-26 10:30", <<~TEXT, nil],
    h1. Runbooks

    h2. Webhook queue depth

    Check the notifier pods (@kubectl -n dispatch get pods -l app=notifier@), then the receiving endpoints'
    error rates in Grafana. Scale the notifier to 6 replicas if the queue keeps growing.

    h2. Backup failure

    Check the pgBackRest log and the archive bucket's quota; run a full backup by hand and a restore test.
  TEXT
], parent: "Wiki"

# News, with a few comments.
[
  ["dispatch", "alice", "2025-02-12 11:20", "Dispatch 2.3 released", "Batch assignment and paginated job lists",
   "Dispatch 2.3 is live: batch assignment of jobs to drivers (POST /v2/assignments/batch) and cursor " \
   "pagination of GET /v2/jobs. Pagination becomes mandatory in 3.0.",
   [["bob", "2025-02-12 12:00", "The API reference is updated too."]]],
  ["mobile", "bob", "2025-02-03 10:10", "Kestrel Mobile 1.8 in the stores", "Proof-of-delivery photos",
   "Version 1.8 lets drivers attach up to three photos as proof of delivery. It rolls out to the fleet this week.",
   [["carol", "2025-02-04 09:00", "Support has the updated driver guide."]]],
  ["portal", "bob", "2025-03-10 10:15", "Customer Portal 4.1", "PDF invoices and CSV export",
   "Customers can now download invoices as PDF and export their deliveries to CSV.", []],
  ["dispatch", "alice", "2025-04-01 09:00", "Route optimiser v2 beta in Porto", "Beta from 7 April",
   "The new optimiser (time windows, vehicle capacity) runs for the Porto depot from 7 April. Report odd routes here.",
   [["carol", "2025-04-01 10:30", "I'll tell the Porto dispatchers."]]],
].each do |project, login, date, title, summary, description, comments|
  news = nil
  at(t(date)) do
    User.current = USERS[login]
    news = News.create!(project: PROJECTS[project], author: USERS[login], title: title, summary: summary,
                        description: description)
  end
  comments.each do |clogin, cdate, text|
    at(t(cdate)) { Comment.create!(commented: news, author: USERS[clogin], comments: text) }
  end
end

# Forums.
[
  ["dispatch", "Development", "Design discussions", [
    ["alice", "2025-02-03 10:00", "Optimiser v2: OR-Tools or our own heuristics?",
     "I'd like to switch to OR-Tools' routing solver. Our heuristics don't handle time windows well.",
     [["bob", "2025-02-03 11:30", "Agreed, as long as we keep a time limit per solve."]]]]],
  ["mobile", "Drivers' feedback", "What drivers tell support", [
    ["carol", "2025-03-06 14:00", "Feedback from the Porto depot",
     "Drivers like the photo feature. Main complaint: the job list on older iPhones does not refresh.",
     [["alice", "2025-03-06 15:00", "That is being fixed, thanks."]]]]],
].each do |project, name, description, topics|
  board = Board.create!(project: PROJECTS[project], name: name, description: description)
  topics.each do |login, date, subject, text, replies|
    topic = nil
    at(t(date)) { topic = Message.create!(board: board, author: USERS[login], subject: subject, content: text) }
    replies.each do |rlogin, rdate, rtext|
      at(t(rdate)) { Message.create!(board: board, parent: topic, author: USERS[rlogin], subject: "RE: #{subject}", content: rtext) }
    end
  end
end

# Documents.
category = DocumentCategory.find_by(name: "Technical documentation") || DocumentCategory.first
at(t("2025-01-15 12:00")) do
  Document.create!(project: PROJECTS["dispatch"], category: category, title: "API v2 reference",
                   description: "The public API reference, generated from the OpenAPI spec.")
  Document.create!(project: PROJECTS["portal"], category: category, title: "Invoice layout",
                   description: "Layout of the PDF invoice as agreed with finance.")
end
