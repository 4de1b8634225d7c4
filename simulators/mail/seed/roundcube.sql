-- Roundcube's users (as their first login would make them: <login>@kestrel.example on localhost, with the
-- client hash Roundcube adds to their preferences then), their
-- identities with signatures, and address-book contacts of the customers they work with.
INSERT INTO users (user_id, username, mail_host, created, last_login, language, preferences) VALUES
  (1, 'alice@kestrel.example', 'localhost', '2026-01-05 09:00:00', '2026-03-20 08:10:00', 'en_US', 'a:1:{s:11:"client_hash";s:16:"74032c550b4db142";}'),
  (2, 'bob@kestrel.example', 'localhost', '2026-01-05 09:00:00', '2026-03-20 08:30:00', 'en_US', 'a:1:{s:11:"client_hash";s:16:"96bbe693f44fbb69";}'),
  (3, 'carol@kestrel.example', 'localhost', '2026-01-05 09:00:00', '2026-03-20 07:55:00', 'en_US', 'a:1:{s:11:"client_hash";s:16:"5114becea949a1b7";}'),
  (4, 'dana@kestrel.example', 'localhost', '2026-01-05 09:00:00', '2026-03-20 08:45:00', 'en_US', 'a:1:{s:11:"client_hash";s:16:"d434d14f8ebdc9cc";}'),
  (5, 'erik@kestrel.example', 'localhost', '2026-01-05 09:00:00', '2026-03-20 08:05:00', 'en_US', 'a:1:{s:11:"client_hash";s:16:"022c264ea7e7b588";}');

INSERT INTO identities (identity_id, user_id, changed, standard, name, organization, email, signature) VALUES
  (1, 1, '2026-01-05 09:00:00', 1, 'Alice Moreau', 'Kestrel Systems', 'alice@kestrel.example', 'Alice Moreau
Engineering Lead, Kestrel Systems'),
  (2, 2, '2026-01-05 09:00:00', 1, 'Bob Okafor', 'Kestrel Systems', 'bob@kestrel.example', ''),
  (3, 3, '2026-01-05 09:00:00', 1, 'Carol Lindqvist', 'Kestrel Systems', 'carol@kestrel.example', 'Carol Lindqvist
Support Lead, Kestrel Systems
support@kestrel.example | +351 21 000 4420'),
  (4, 3, '2026-01-05 09:00:00', 0, 'Kestrel Support', 'Kestrel Systems', 'support@kestrel.example', 'Kestrel Systems Support
support@kestrel.example | +351 21 000 4420'),
  (5, 4, '2026-01-05 09:00:00', 1, 'Dana Whitfield', 'Kestrel Systems', 'dana@kestrel.example', 'Dana Whitfield
Account Manager, Kestrel Systems
Avenida da Liberdade 200, 1250-147 Lisboa
+351 21 000 4410'),
  (6, 4, '2026-01-05 09:00:00', 0, 'Kestrel Sales', 'Kestrel Systems', 'sales@kestrel.example', ''),
  (7, 5, '2026-01-05 09:00:00', 1, 'Erik Nilsson', 'Kestrel Systems', 'erik@kestrel.example', 'Erik Nilsson
Support & Sales Engineer, Kestrel Systems');

-- Contacts: vCards as Roundcube writes them; words is its search index (lower-case name and email).
INSERT INTO contacts (contact_id, user_id, changed, name, email, firstname, surname, vcard, words) VALUES
  (1, 4, '2026-01-12 10:00:00', 'Priya Shah', 'priya.shah@acme-logistics.example', 'Priya', 'Shah',
   'BEGIN:VCARD' || char(10) || 'VERSION:3.0' || char(10) || 'N:Shah;Priya;;;' || char(10) || 'FN:Priya Shah' || char(10) || 'ORG:Acme Logistics GmbH' || char(10) || 'EMAIL;TYPE=work:priya.shah@acme-logistics.example' || char(10) || 'END:VCARD',
   ' priya shah acme logistics gmbh priya.shah@acme-logistics.example'),
  (2, 4, '2026-01-12 10:00:00', 'Mikko Virtanen', 'mikko.virtanen@polarfoods.example', 'Mikko', 'Virtanen',
   'BEGIN:VCARD' || char(10) || 'VERSION:3.0' || char(10) || 'N:Virtanen;Mikko;;;' || char(10) || 'FN:Mikko Virtanen' || char(10) || 'ORG:Polar Foods Oy' || char(10) || 'EMAIL;TYPE=work:mikko.virtanen@polarfoods.example' || char(10) || 'ADR;TYPE=work:;;Mannerheimintie 20;Helsinki;;00100;Finland' || char(10) || 'END:VCARD',
   ' mikko virtanen polar foods oy mikko.virtanen@polarfoods.example'),
  (3, 4, '2026-01-12 10:00:00', 'Elena Ruiz', 'elena.ruiz@sunrise-deliveries.example', 'Elena', 'Ruiz',
   'BEGIN:VCARD' || char(10) || 'VERSION:3.0' || char(10) || 'N:Ruiz;Elena;;;' || char(10) || 'FN:Elena Ruiz' || char(10) || 'ORG:Sunrise Deliveries SL' || char(10) || 'EMAIL;TYPE=work:elena.ruiz@sunrise-deliveries.example' || char(10) || 'END:VCARD',
   ' elena ruiz sunrise deliveries sl elena.ruiz@sunrise-deliveries.example'),
  (4, 4, '2026-01-12 10:00:00', 'Jonas Berg', 'jonas.berg@bluewater-freight.example', 'Jonas', 'Berg',
   'BEGIN:VCARD' || char(10) || 'VERSION:3.0' || char(10) || 'N:Berg;Jonas;;;' || char(10) || 'FN:Jonas Berg' || char(10) || 'ORG:Bluewater Freight AG' || char(10) || 'EMAIL;TYPE=work:jonas.berg@bluewater-freight.example' || char(10) || 'END:VCARD',
   ' jonas berg bluewater freight ag jonas.berg@bluewater-freight.example'),
  (5, 3, '2026-01-12 10:00:00', 'Priya Shah', 'priya.shah@acme-logistics.example', 'Priya', 'Shah',
   'BEGIN:VCARD' || char(10) || 'VERSION:3.0' || char(10) || 'N:Shah;Priya;;;' || char(10) || 'FN:Priya Shah' || char(10) || 'ORG:Acme Logistics GmbH' || char(10) || 'EMAIL;TYPE=work:priya.shah@acme-logistics.example' || char(10) || 'END:VCARD',
   ' priya shah acme logistics gmbh priya.shah@acme-logistics.example'),
  (6, 3, '2026-01-12 10:00:00', 'Lars Haugen', 'lars.haugen@fjordcouriers.example', 'Lars', 'Haugen',
   'BEGIN:VCARD' || char(10) || 'VERSION:3.0' || char(10) || 'N:Haugen;Lars;;;' || char(10) || 'FN:Lars Haugen' || char(10) || 'ORG:Fjord Couriers AS' || char(10) || 'EMAIL;TYPE=work:lars.haugen@fjordcouriers.example' || char(10) || 'END:VCARD',
   ' lars haugen fjord couriers as lars.haugen@fjordcouriers.example');
