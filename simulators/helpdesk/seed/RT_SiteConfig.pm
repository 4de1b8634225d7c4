# Terrarium's RT configuration (loaded after Debian's RT_SiteConfig.d files, so it wins).
Set($rtname, 'kestrel.example');
Set($Organization, 'kestrel.example');
Set($CorrespondAddress, 'support@kestrel.example');
Set($CommentAddress, 'support-comment@kestrel.example');
Set($OwnerEmail, 'admin@kestrel.example');
Set($Timezone, 'Europe/Lisbon');

# Served at the root by starman on port 80. The environment is reached under other host names and
# ports (the routing proxy): no referrer check, and redirects keep the host the request came to.
Set($WebPath, '');
Set($WebDomain, 'localhost');
Set($WebPort, 80);
Set($WebBaseURL, 'http://localhost');
Set($CanonicalizeRedirectURLs, 0);
Set($RestrictReferrer, 0);
Set($RestrictLoginReferrer, 0);
Set($WebSecureCookies, 0);

# The database, PostgreSQL over TCP on localhost (password authentication).
Set($DatabaseType, 'Pg');
Set($DatabaseHost, 'localhost');
Set($DatabasePort, '');
Set($DatabaseName, 'rtdb');
Set($DatabaseUser, 'rt_user');
Set($DatabasePassword, 'rt-db-password');
Set($DatabaseAdmin, 'postgres');

# Outgoing mail goes to a Maildir (/var/spool/rt-outbox/sent) and never leaves the environment.
Set($MailCommand, 'sendmailpipe');
Set($SendmailPath, '/usr/local/bin/terrarium-outbox');
Set($SendmailArguments, '');
Set($RecordOutgoingEmail, 1);

# Logs to standard error (the container's log), not syslog.
Set($LogToSyslog, undef);
Set($LogToSTDERR, 'warning');
Set($LogToFile, undef);

# Dates as an agent reads them; messages typed as plain text (no rich-text editor).
Set($DateTimeFormat, 'ISO');
Set($MessageBoxRichText, 0);
Set($HTMLFormatter, 'core');
1;
