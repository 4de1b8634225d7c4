<?php
// Roundcube for Kestrel Systems: IMAP and SMTP on this host, users log in with their short login
// (alice) and become alice@kestrel.example; the database is SQLite (captured by Terrarium).
$config = [];
$config['db_dsnw'] = 'sqlite:////var/lib/roundcube/db/roundcube.sqlite?mode=0660';
$config['imap_host'] = ['localhost:143'];
$config['username_domain'] = 'kestrel.example';
$config['mail_domain'] = 'kestrel.example';
// Postfix on port 25 delivers every message locally (outside addresses land in the outbound mailbox).
$config['smtp_host'] = 'localhost:25';
$config['smtp_user'] = '';
$config['smtp_pass'] = '';
$config['support_url'] = '';
$config['product_name'] = 'Kestrel Mail';
$config['des_key'] = 'terrarium-mail-des-key-24';
$config['plugins'] = ['archive', 'markasjunk'];
$config['skin'] = 'elastic';
$config['language'] = 'en_US';
$config['timezone'] = 'Europe/Lisbon';
$config['enable_spellcheck'] = false;
$config['create_default_folders'] = false;
$config['drafts_mbox'] = 'Drafts';
$config['sent_mbox'] = 'Sent';
$config['trash_mbox'] = 'Trash';
$config['junk_mbox'] = 'Junk';
$config['archive_mbox'] = 'Archive';
// No caches in the database: only what a user changes shows in the captured state.
$config['imap_cache'] = null;
$config['messages_cache'] = false;
// Sessions behind the routing proxy: no IP check (the proxy's address may change).
$config['ip_check'] = false;
$config['login_rate_limit'] = 0;
$config['log_driver'] = 'stderr';
$config['session_lifetime'] = 600;
