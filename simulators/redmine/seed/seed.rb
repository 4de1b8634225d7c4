# Seeds Kestrel Systems' Redmine through Redmine's own models. Run by seed.sh with `rails runner`,
# after db:migrate and redmine:load_default_data (trackers, statuses, priorities, roles, workflows).
require "active_support/testing/time_helpers"
require "digest/sha1"
include ActiveSupport::Testing::TimeHelpers

ActionMailer::Base.perform_deliveries = false
ActiveJob::Base.queue_adapter = :inline
SEED_DIR = File.dirname(File.expand_path(__FILE__))

def at(time, &block) = travel_to(Time.utc(*time), &block)
def t(s) = Time.parse("#{s} UTC").utc.to_a.values_at(5, 4, 3, 2, 1, 0)

# Every user's REST API key is derived from the login, so it can be documented and recomputed:
# sha1("terrarium-redmine-api:<login>").
def api_key(login) = Digest::SHA1.hexdigest("terrarium-redmine-api:#{login}")

at(t("2025-01-06 08:00")) do
  # Settings: REST API on, public projects readable without login, English, textile.
  Setting.app_title = "Kestrel Systems Redmine"
  Setting.welcome_text = "Welcome to the Kestrel Systems issue tracker. Engineering tracks *Dispatch*, " \
    "*Kestrel Mobile*, the *Customer Portal* and *Infrastructure* here."
  Setting.rest_api_enabled = "1"
  Setting.jsonp_enabled = "0"
  Setting.default_language = "en"
  Setting.login_required = "0"
  Setting.self_registration = "0"
  Setting.host_name = "localhost:3000"
  Setting.protocol = "http"
  Setting.mail_from = "redmine@kestrel.example"
  Setting.text_formatting = "textile"
  Setting.default_projects_modules = %w[issue_tracking time_tracking news documents files wiki boards calendar gantt]
  Setting.cross_project_issue_relations = "1"
  Setting.date_format = "%Y-%m-%d"
  Setting.user_format = "firstname_lastname"

  admin = User.find_by!(login: "admin")
  admin.firstname = "Redmine"
  admin.lastname = "Admin"
  admin.mail = "admin@kestrel.example"
  admin.password = admin.password_confirmation = "terrarium-admin"
  admin.must_change_passwd = false
  admin.language = "en"
  admin.save!
end

USERS = {}
USERS["admin"] = User.find_by!(login: "admin")
[
  ["alice", "Alice", "Moreau", "alice@kestrel.example", "alice-password"],
  ["bob", "Bob", "Okafor", "bob@kestrel.example", "bob-password"],
  ["carol", "Carol", "Lindqvist", "carol@kestrel.example", "carol-password"],
].each do |login, first, last, mail, password|
  at(t("2025-01-06 08:05")) do
    u = User.new(firstname: first, lastname: last, mail: mail, language: "en")
    u.login = login
    u.password = u.password_confirmation = password
    u.must_change_passwd = false
    u.status = User::STATUS_ACTIVE
    u.mail_notification = "only_my_events"
    u.save!
    USERS[login] = u
  end
end
USERS.each do |login, u|
  token = Token.create!(user: u, action: "api")
  token.update_columns(value: api_key(login))
end

ROLES = Role.where(builtin: 0).index_by(&:name) # Manager, Developer, Reporter
TRACKERS = Tracker.all.index_by(&:name) # Bug, Feature, Support
STATUSES = IssueStatus.all.index_by(&:name) # New, In Progress, Resolved, Feedback, Closed, Rejected
PRIORITIES = IssuePriority.all.index_by(&:name) # Low, Normal, High, Urgent, Immediate
ACTIVITIES = TimeEntryActivity.all.index_by(&:name) # Design, Development

PROJECTS = {}
VERSIONS = {}
CATEGORIES = {}

def project(identifier, name, description, is_public:, homepage: nil, members:, versions:, categories:, created:)
  at(t(created)) do
    p = Project.new(name: name, identifier: identifier, description: description, is_public: is_public,
                    homepage: homepage)
    p.trackers = Tracker.all
    p.enabled_module_names = %w[issue_tracking time_tracking news documents files wiki boards calendar gantt]
    p.save!
    members.each { |login, role| Member.create!(principal: USERS[login], project: p, role_ids: [ROLES[role].id]) }
    versions.each do |vname, date, vdesc|
      VERSIONS[[identifier, vname]] = Version.create!(project: p, name: vname, effective_date: date, description: vdesc,
                                                      sharing: "none", status: "open")
    end
    categories.each do |cname, owner|
      CATEGORIES[[identifier, cname]] = IssueCategory.create!(project: p, name: cname, assigned_to: owner && USERS[owner])
    end
    PROJECTS[identifier] = p
  end
end

project "dispatch", "Dispatch",
  "Dispatch is Kestrel's routing and job-dispatch platform: the REST API the mobile app and the portal talk to, " \
  "the route optimiser, and the notification service.",
  is_public: true, homepage: "https://dispatch.kestrel.example", created: "2025-01-06 09:00",
  members: { "alice" => "Manager", "bob" => "Developer", "carol" => "Reporter" },
  versions: [["2.3", "2025-02-14", "Batch assignment and API pagination"],
             ["2.4", "2025-04-30", "Route optimiser v2, webhook retries"],
             ["3.0", "2025-09-30", "Multi-region, API v3"]],
  categories: [["API", "bob"], ["Routing engine", "alice"], ["Database", "alice"], ["Notifications", "bob"]]

project "mobile", "Kestrel Mobile",
  "The driver app for iOS and Android: job list, turn-by-turn navigation hand-off, proof of delivery, offline sync.",
  is_public: true, created: "2025-01-06 09:30",
  members: { "alice" => "Developer", "bob" => "Manager", "carol" => "Reporter" },
  versions: [["1.8", "2025-02-03", "Proof-of-delivery photos"],
             ["1.9", "2025-04-14", "Offline sync rewrite"],
             ["2.0", "2025-07-01", "New navigation, tablet layout"]],
  categories: [["iOS", "alice"], ["Android", "bob"], ["Sync", "alice"], ["UI", nil]]

project "portal", "Customer Portal",
  "The web portal where customers book jobs, track deliveries, download invoices and manage their team.",
  is_public: true, created: "2025-01-07 10:00",
  members: { "bob" => "Manager", "alice" => "Developer", "carol" => "Reporter" },
  versions: [["4.1", "2025-03-10", "Invoices and CSV export"], ["4.2", "2025-05-26", "Team accounts, SSO"]],
  categories: [["Billing", "bob"], ["Accounts", "bob"], ["Reports", "alice"], ["Tracking page", nil]]

project "infra", "Infrastructure",
  "Internal: CI, deployment, monitoring and the Kubernetes clusters. Not visible to customers.",
  is_public: false, created: "2025-01-08 11:00",
  members: { "alice" => "Manager", "bob" => "Developer" },
  versions: [["2025-Q1", "2025-03-31", "First quarter operations work"], ["2025-Q2", "2025-06-30", "Second quarter"]],
  categories: [["CI", "bob"], ["Monitoring", "alice"], ["Kubernetes", "alice"], ["Backups", "bob"]]

load File.join(SEED_DIR, "issues.rb")

ISSUES = {}
# Issues in the order they were filed, so ids follow dates.
ISSUE_SPECS.sort_by { |s| s[:at] }.each do |s|
  at(t(s[:at])) do
    User.current = USERS[s[:author]]
    i = Issue.new(project: PROJECTS[s[:project]], tracker: TRACKERS[s[:tracker]], author: USERS[s[:author]],
                  subject: s[:subject], description: s[:description], priority: PRIORITIES[s[:priority] || "Normal"])
    i.assigned_to = USERS[s[:assignee]] if s[:assignee]
    i.category = CATEGORIES[[s[:project], s[:category]]] if s[:category]
    i.fixed_version = VERSIONS[[s[:project], s[:version]]] if s[:version]
    i.start_date = Date.parse(s[:at])
    i.due_date = Date.parse(s[:due]) if s[:due]
    i.estimated_hours = s[:estimate] if s[:estimate]
    i.parent_issue_id = ISSUES[s[:parent]].id if s[:parent]
    i.save!
    ISSUES[s[:key]] = i
  end
end

# Then every later change, with its comment, in date order across issues.
ISSUE_SPECS.flat_map { |s| (s[:updates] || []).map { |u| u.merge(key: s[:key]) } }.sort_by { |u| u[:at] }.each do |u|
  at(t(u[:at])) do
    user = USERS[u[:by]]
    User.current = user
    i = Issue.find(ISSUES[u[:key]].id)
    i.init_journal(user, u[:notes])
    i.status = STATUSES[u[:status]] if u[:status]
    i.assigned_to = (u[:assignee] == :nobody ? nil : USERS[u[:assignee]]) if u[:assignee]
    i.priority = PRIORITIES[u[:priority]] if u[:priority]
    i.done_ratio = u[:done] if u[:done]
    i.fixed_version = VERSIONS[[i.project.identifier, u[:version]]] if u[:version]
    i.save!
    ISSUES[u[:key]] = i
  end
end

# Relations between issues.
RELATIONS.each do |from, type, to|
  IssueRelation.create!(issue_from: ISSUES[from], issue_to: ISSUES[to], relation_type: type)
end

# Watchers.
WATCHERS.each { |key, logins| logins.each { |l| Watcher.create!(watchable: ISSUES[key], user: USERS[l]) } }

# Attachments (stored under /var/lib/redmine/default/files).
ATTACHMENTS.each do |key, login, filename, content_type, body, date|
  at(t(date)) do
    a = Attachment.new(container: ISSUES[key], file: body, author: USERS[login], content_type: content_type)
    a.filename = filename
    a.save!
  end
end

# Time spent: on every issue that was worked on, by its assignee, on working days while it was open.
rng = Random.new(20250106)
ISSUES.each_value do |issue|
  issue.reload
  next unless issue.assigned_to && issue.status.name != "New"
  next if issue.status.name == "Rejected"
  first = issue.start_date
  last = issue.closed_on ? issue.closed_on.to_date : Date.new(2025, 4, 18)
  days = (first..last).reject { |d| d.saturday? || d.sunday? }
  days.sample([days.size, 1 + rng.rand(3)].min, random: rng).sort.each do |day|
    at([day.year, day.month, day.day, 17, 30, 0]) do
      User.current = issue.assigned_to
      TimeEntry.create!(project: issue.project, issue: issue, user: issue.assigned_to, author: issue.assigned_to,
                        spent_on: day, hours: [0.5, 1, 1.5, 2, 3, 4, 6][rng.rand(7)],
                        activity: ACTIVITIES[issue.tracker.name == "Feature" && rng.rand(3).zero? ? "Design" : "Development"],
                        comments: issue.tracker.name == "Bug" ? "Investigation and fix" : "Implementation")
    end
  end
end
# Meetings, logged on projects rather than issues.
[["dispatch", "alice", "2025-02-10", 1.5, "Sprint planning 2.4"], ["dispatch", "bob", "2025-02-10", 1.5, "Sprint planning 2.4"],
 ["mobile", "bob", "2025-03-03", 1, "1.9 scope review"], ["portal", "bob", "2025-01-20", 2, "Invoice design with finance"],
 ["infra", "alice", "2025-03-28", 2, "Quarterly capacity review"]].each do |id, login, day, hours, comments|
  at(t("#{day} 16:00")) do
    User.current = USERS[login]
    TimeEntry.create!(project: PROJECTS[id], user: USERS[login], author: USERS[login], spent_on: Date.parse(day), hours: hours,
                      activity: ACTIVITIES["Design"], comments: comments)
  end
end

# Released versions are closed once their issues are done.
CLOSED_VERSIONS.each { |key| VERSIONS[key].update!(status: "closed") }

load File.join(SEED_DIR, "content.rb")

User.current = nil
puts "seeded: #{Project.count} projects, #{Issue.count} issues (#{Issue.joins(:status).where(issue_statuses: { is_closed: true }).count} closed), " \
     "#{Journal.count} journals, #{WikiPage.count} wiki pages, #{News.count} news, #{TimeEntry.count} time entries, " \
     "#{Attachment.count} attachments, #{Version.count} versions"
