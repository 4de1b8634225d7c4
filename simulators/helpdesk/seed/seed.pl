#!/usr/bin/perl
# Seeds Kestrel Systems' help desk through RT's own API (RT::User, RT::Queue, RT::CustomField,
# RT::Ticket): staff and customers, queues, custom fields, rights, and the tickets of tickets.pl
# with their history. Each step of a ticket is done as the person who did it (a customer writes in,
# carol takes it, bob comments...); afterwards the step's transactions get the step's time, so the
# history reads as it happened between January and March 2026.
use strict;
use warnings;
use utf8;
use lib '/usr/share/request-tracker5/lib';
use RT -init;
use MIME::Entity;
use Encode qw(encode);

binmode STDOUT, ':encoding(UTF-8)';
my $dir = $ENV{SEED_DIR} or die "SEED_DIR is not set\n";
my $dbh = $RT::Handle->dbh;
sub fail { die join( ' ', @_ ) . "\n" }

# ---------------------------------------------------------------------------------------------------
# People.
my %staff = (
    alice => [ 'Alice Moreau',    'Engineering lead' ],
    bob   => [ 'Bob Okafor',      'Developer' ],
    carol => [ 'Carol Lindqvist', 'Support lead' ],
    dana  => [ 'Dana Whitfield',  'Account manager' ],
    erik  => [ 'Erik Nilsson',    'Support and sales engineer' ],
);
my @customers = (
    [ 'Priya Shah',     'priya.shah@acme-logistics.example',         'Acme Logistics GmbH',   'Berlin',     '+49 30 5550 1440' ],
    [ 'Tobias Keller',  'tobias.keller@acme-logistics.example',      'Acme Logistics GmbH',   'Berlin',     '+49 30 5550 1447' ],
    [ 'Jonas Berg',     'jonas.berg@bluewater-freight.example',      'Bluewater Freight AG',  'Hamburg',    '+49 40 5550 2050' ],
    [ 'Hanna Schulz',   'hanna.schulz@bluewater-freight.example',    'Bluewater Freight AG',  'Hamburg',    '+49 40 5550 2061' ],
    [ 'Mikko Virtanen', 'mikko.virtanen@polarfoods.example',         'Polar Foods Oy',        'Helsinki',   '+358 9 5550 2000' ],
    [ 'Aino Korhonen',  'aino.korhonen@polarfoods.example',          'Polar Foods Oy',        'Helsinki',   '+358 9 5550 2017' ],
    [ 'Oliver Grant',   'oliver.grant@northwind.example',            'Northwind Traders Ltd', 'Manchester', '+44 161 555 0112' ],
    [ 'Emma Clarke',    'emma.clarke@northwind.example',             'Northwind Traders Ltd', 'Manchester', '+44 161 555 0128' ],
    [ 'Sofia Costa',    'sofia.costa@redline-haulage.example',       'Redline Haulage Lda',   'Porto',      '+351 22 555 0310' ],
    [ 'Rui Almeida',    'rui.almeida@redline-haulage.example',       'Redline Haulage Lda',   'Porto',      '+351 22 555 0318' ],
    [ 'Lars Haugen',    'lars.haugen@fjordcouriers.example',         'Fjord Couriers AS',     'Oslo',       '+47 22 55 50 07' ],
    [ 'Ingrid Solberg', 'ingrid.solberg@fjordcouriers.example',      'Fjord Couriers AS',     'Oslo',       '+47 22 55 50 19' ],
    [ 'Elena Ruiz',     'elena.ruiz@sunrise-deliveries.example',     'Sunrise Deliveries SL', 'Madrid',     '+34 91 555 0090' ],
    [ 'Pablo Moreno',   'pablo.moreno@sunrise-deliveries.example',   'Sunrise Deliveries SL', 'Madrid',     '+34 91 555 0094' ],
    [ 'Márta Kovács',   'marta.kovacs@danube-express.example',       'Danube Express Kft',    'Budapest',   '+36 1 555 0142' ],
    [ 'Kai Brandt',     'kai.brandt@alpine-parcel.example',          'Alpine Parcel AG',      'Zürich',     '+41 44 555 0166' ],
    [ 'RankBoost Marketing', 'offers@rankboost.example',                'RankBoost',             undef,        undef ],
);

my $system = RT->SystemUser;
my %user;    # login or email => RT::User

# RT's superuser is root: it becomes the documented admin account.
{
    my $root = RT::User->new($system);
    $root->Load('root') or fail 'no root user';
    my @r = $root->SetName('admin');
    $r[0] or fail "rename root: $r[1]";
    $root->SetRealName('Terrarium Admin');
    $root->SetEmailAddress('admin@kestrel.example');
    my ( $ok, $msg ) = $root->SetPassword('terrarium-admin');
    $ok or fail "admin password: $msg";
    $user{admin} = $root;
}
for my $login ( sort keys %staff ) {
    my $u = RT::User->new($system);
    my ( $ok, $msg ) = $u->Create(
        Name         => $login,
        RealName     => $staff{$login}[0],
        EmailAddress => "$login\@kestrel.example",
        Organization => 'Kestrel Systems',
        Comments     => $staff{$login}[1],
        City         => 'Lisboa',
        Country      => 'Portugal',
        Privileged   => 1,
        Password     => "$login-password",
    );
    $ok or fail "user $login: $msg";
    $user{$login} = $u;
}
for my $c (@customers) {
    my ( $name, $email, $org, $city, $phone ) = @$c;
    my $u = RT::User->new($system);
    my ( $ok, $msg ) = $u->Create(
        Name         => $email,
        RealName     => $name,
        EmailAddress => $email,
        Organization => $org,
        City         => $city,
        WorkPhone    => $phone,
        Privileged   => 0,
    );
    $ok or fail "customer $email: $msg";
    $user{$email} = $u;
}

# RT makes a user's AuthToken (a secret behind some web-UI links) the first time a page needs it;
# made now, a web visit later does not write it.
for my $login ( 'admin', sort keys %staff ) {
    my ( $ok, $msg ) = $user{$login}->GenerateAuthToken;
    $ok or fail "auth token of $login: $msg";
}

# Groups: every staff member is in Staff (the rights below); teams for watching queues.
my %group;
for my $g (
    [ 'Staff',       'Everyone at Kestrel Systems who works tickets', [qw(alice bob carol dana erik)] ],
    [ 'Support',     'First-line support',                            [qw(carol erik)] ],
    [ 'Engineering', 'Escalations to the product teams',              [qw(alice bob)] ],
    [ 'Sales',       'Account management and quotes',                 [qw(dana erik)] ],
  )
{
    my $group = RT::Group->new($system);
    my ( $ok, $msg ) = $group->CreateUserDefinedGroup( Name => $g->[0], Description => $g->[1] );
    $ok or fail "group $g->[0]: $msg";
    for my $login ( @{ $g->[2] } ) {
        my ( $ok2, $msg2 ) = $group->AddMember( $user{$login}->PrincipalId );
        $ok2 or fail "member $login of $g->[0]: $msg2";
    }
    $group{ $g->[0] } = $group;
}

# Rights: staff work tickets in every queue; customers may write in and follow their own tickets.
my @staff_rights = qw(
  SeeQueue ShowTicket ShowTicketComments CreateTicket ReplyToTicket CommentOnTicket OwnTicket
  TakeTicket StealTicket ReassignTicket ModifyTicket Watch WatchAsAdminCc ForwardMessage
  ShowOutgoingEmail SeeCustomField ModifyCustomField SetInitialCustomField SeeGroup
  ShowSavedSearches EditSavedSearches LoadSavedSearch ModifySelf ShowUserHistory SeeSelfServiceGroupTicket
);
for my $right (@staff_rights) {
    my ( $ok, $msg ) = $group{Staff}->PrincipalObj->GrantRight( Right => $right, Object => RT->System );
    $ok or fail "right $right: $msg";
}
# carol, the support lead, also keeps the customer records (names, organisations, addresses).
for my $right (qw(AdminUsers)) {
    my ( $ok, $msg ) = $user{carol}->PrincipalObj->GrantRight( Right => $right, Object => RT->System );
    $ok or fail "carol $right: $msg";
}
{
    my $everyone = RT::Group->new($system);
    $everyone->LoadSystemInternalGroup('Everyone');
    for my $right (qw(CreateTicket ReplyToTicket)) {
        my ( $ok, $msg ) = $everyone->PrincipalObj->GrantRight( Right => $right, Object => RT->System );
        $ok or fail "Everyone $right: $msg";
    }
    my $requestor = RT::Group->new($system);
    $requestor->LoadRoleGroup( Object => RT->System, Name => 'Requestor' );
    for my $right (qw(ShowTicket ReplyToTicket SeeCustomField)) {
        my ( $ok, $msg ) = $requestor->PrincipalObj->GrantRight( Right => $right, Object => RT->System );
        $ok or fail "Requestor $right: $msg";
    }
}

# Queues (General comes with RT).
my %queue;
{
    my $general = RT::Queue->new($system);
    $general->Load('General') or fail 'no General queue';
    $general->SetDescription('Anything that fits no other queue');
    $general->SetCorrespondAddress('info@kestrel.example');
    $queue{General} = $general;
}
for my $q (
    [ 'Support',    'Product support for Dispatch, Kestrel Mobile and the Customer Portal', 'support@kestrel.example' ],
    [ 'Billing',    'Invoices, payments, VAT and contract questions',                        'billing@kestrel.example' ],
    [ 'Onboarding', 'New customers: set-up, data import and workshops',                      'onboarding@kestrel.example' ],
    [ 'Sales',      'Quotes, licence extensions and renewals',                               'sales@kestrel.example' ],
  )
{
    my $queue = RT::Queue->new($system);
    my ( $ok, $msg ) = $queue->Create(
        Name              => $q->[0],
        Description       => $q->[1],
        CorrespondAddress => $q->[2],
        CommentAddress    => ( $q->[2] =~ s/@/-comment@/r ),
    );
    $ok or fail "queue $q->[0]: $msg";
    $queue{ $q->[0] } = $queue;
}
# The teams watch their queues as AdminCc (they are told of every ticket).
for my $w ( [ Support => 'Support' ], [ Billing => 'Support' ], [ Onboarding => 'Support' ], [ Sales => 'Sales' ] ) {
    my ( $ok, $msg ) = $queue{ $w->[0] }->AddWatcher( Type => 'AdminCc', PrincipalId => $group{ $w->[1] }->PrincipalId );
    $ok or fail "AdminCc of $w->[0]: $msg";
}

# Ticket custom fields.
my %cf;
for my $f (
    [ 'Product',  'Which product the ticket is about', [ 'Dispatch', 'Kestrel Mobile', 'Customer Portal' ], [qw(General Support Onboarding Sales)] ],
    [ 'Severity', 'How badly the customer is affected', [ 'Critical', 'High', 'Normal', 'Low' ],           [qw(Support)] ],
    [ 'Invoice number', 'The invoice the question is about (e.g. INV-2026-0142)', undef,                    [qw(Billing)] ],
  )
{
    my ( $name, $description, $values, $queues ) = @$f;
    my $cf = RT::CustomField->new($system);
    my ( $ok, $msg ) = $cf->Create(
        Name        => $name,
        Description => $description,
        Type        => $values ? 'Select' : 'Freeform',
        MaxValues   => 1,
        LookupType  => 'RT::Queue-RT::Ticket',
        ( $values ? ( RenderType => 'Dropdown' ) : () ),
    );
    $ok or fail "custom field $name: $msg";
    my $order = 0;
    for my $value ( @{ $values // [] } ) {
        my ( $ok2, $msg2 ) = $cf->AddValue( Name => $value, SortOrder => ++$order );
        $ok2 or fail "value $value of $name: $msg2";
    }
    for my $q (@$queues) {
        my ( $ok2, $msg2 ) = $cf->AddToObject( $queue{$q} );
        $ok2 or fail "$name on $q: $msg2";
    }
    $cf{$name} = $cf;
}

# ---------------------------------------------------------------------------------------------------
# Tickets.
my @tickets = do "$dir/tickets.pl" or fail "tickets.pl: $@ $!";

my $mark = 0;    # the highest transaction id already stamped
sub max_txn { ( $dbh->selectrow_array('SELECT max(id) FROM Transactions') )[0] // 0 }
sub stamp {
    my ($time) = @_;
    $dbh->do( 'UPDATE Transactions SET Created = ? WHERE id > ?', undef, $time, $mark );
    $dbh->do( 'UPDATE Attachments SET Created = ? WHERE TransactionId > ?', undef, $time, $mark );
    $mark = max_txn();
}

sub as_user {
    my ($who) = @_;
    my $u = $user{$who} or fail "unknown person $who";
    return RT::CurrentUser->new( $u->Id );
}
sub ticket_as {
    my ( $who, $id ) = @_;
    my $t = RT::Ticket->new( as_user($who) );
    $t->Load($id) or fail "load ticket $id";
    return $t;
}
sub message {
    my ( $who, $subject, $text ) = @_;
    my $u = $user{$who};
    return MIME::Entity->build(
        Type     => 'text/plain',
        Charset  => 'UTF-8',
        Encoding => 'quoted-printable',
        From     => encode( 'MIME-Header', $u->RealName ) . ' <' . $u->EmailAddress . '>',
        Subject  => encode( 'MIME-Header', $subject ),
        Data     => [ encode( 'UTF-8', $text ) ],
    );
}

# "2026-03-02 09:14" plus "+1d2h30m".
sub later {
    my ( $time, $delta ) = @_;
    my $date = RT::Date->new($system);
    $date->Set( Format => 'sql', Value => $time );
    my ( $d, $h, $m ) = map { $delta =~ /(\d+)$_/ ? $1 : 0 } qw(d h m);
    $date->AddSeconds( $d * 86400 + $h * 3600 + $m * 60 );
    return $date->ISO;
}

# Customers' tickets carry their Product and Severity from the start (as a web form would set them):
# while seeding, Everyone may set a custom field on a new ticket; the right is revoked afterwards.
my $everyone = RT::Group->new($system);
$everyone->LoadSystemInternalGroup('Everyone');
for my $right (qw(SeeCustomField SetInitialCustomField)) {
    my ( $ok, $msg ) = $everyone->PrincipalObj->GrantRight( Right => $right, Object => RT->System );
    $ok or fail "Everyone $right: $msg";
}

my %count;
for my $spec (@tickets) {
    my $time      = $spec->{created};
    my $requestor = $spec->{requestor};
    my @requestors = ( ref $requestor ? @$requestor : $requestor );
    my $creator   = $spec->{by} // $requestors[0];
    my $ticket    = RT::Ticket->new( as_user($creator) );
    my %fields;
    for my $name (qw(Product Severity), 'Invoice number') {
        $fields{ 'CustomField-' . $cf{$name}->Id } = $spec->{ lc( $name =~ s/ /_/r ) } if defined $spec->{ lc( $name =~ s/ /_/r ) };
    }
    my ( $id, undef, $msg ) = $ticket->Create(
        Queue     => $queue{ $spec->{queue} }->Id,
        Subject   => $spec->{subject},
        Requestor => [ map { $user{$_}->EmailAddress } @requestors ],
        ( $spec->{cc} ? ( Cc => $spec->{cc} ) : () ),
        Priority => { Low => 0, Medium => 50, High => 100 }->{ $spec->{priority} // 'Low' },
        MIMEObj  => message( $creator, $spec->{subject}, $spec->{text} ),
        %fields,
    );
    $id or fail "ticket '$spec->{subject}': $msg";
    stamp($time);
    my ( $started, $resolved, $told, $last ) = ( undef, undef, undef, $time );
    for my $step ( @{ $spec->{steps} // [] } ) {
        my ( $kind, $delta, @args ) = @$step;
        $time = later( $time, $delta );
        my @r;
        if ( $kind eq 'reply' ) {    # staff writes to the customer
            my ( $who, $text ) = @args;
            @r = ticket_as( $who, $id )->Correspond( MIMEObj => message( $who, "Re: $spec->{subject}", $text ) );
            $told = $time;
        } elsif ( $kind eq 'customer' ) {    # the customer (or a colleague of theirs) writes back
            my ( $text, $who ) = @args;
            $who //= $requestors[0];
            @r = ticket_as( $who, $id )->Correspond( MIMEObj => message( $who, "Re: $spec->{subject}", $text ) );
        } elsif ( $kind eq 'comment' ) {    # internal note
            my ( $who, $text ) = @args;
            @r = ticket_as( $who, $id )->Comment( MIMEObj => message( $who, "Re: $spec->{subject}", $text ) );
        } elsif ( $kind eq 'take' ) {
            my ($who) = @args;
            @r = ticket_as( $who, $id )->SetOwner( $user{$who}->Id );
        } elsif ( $kind eq 'assign' ) {    # someone gives the ticket to someone else
            my ( $who, $to ) = @args;
            @r = ticket_as( $who, $id )->SetOwner( $user{$to}->Id, 'Set' );
        } elsif ( $kind eq 'status' ) {
            my ( $who, $status ) = @args;
            my $t = ticket_as( $who, $id );
            # A reply to a new ticket opens it already.
            @r = $t->Status eq $status ? (1) : $t->SetStatus($status);
            $resolved = $time if $status eq 'resolved';
        } elsif ( $kind eq 'cf' ) {
            my ( $who, $name, $value ) = @args;
            @r = ticket_as( $who, $id )->AddCustomFieldValue( Field => $cf{$name}->Id, Value => $value );
        } elsif ( $kind eq 'priority' ) {
            my ( $who, $value ) = @args;
            @r = ticket_as( $who, $id )->SetPriority( { Low => 0, Medium => 50, High => 100 }->{$value} );
        } elsif ( $kind eq 'queue' ) {
            my ( $who, $name ) = @args;
            @r = ticket_as( $who, $id )->SetQueue( $queue{$name}->Id );
        } elsif ( $kind eq 'cc' ) {
            my ( $who, $email ) = @args;
            @r = ticket_as( $who, $id )->AddWatcher( Type => 'Cc', Email => $email );
        } else {
            fail "unknown step $kind";
        }
        $r[0] or fail "ticket $id '$spec->{subject}', step $kind: $r[1]";
        $started //= $time if $kind eq 'status' || $kind eq 'reply';
        stamp($time);
        $last = $time;
    }
    my $t = RT::Ticket->new($system);
    $t->Load($id);
    $started = undef if $t->Status eq 'new';
    $dbh->do(
        'UPDATE Tickets SET Created = ?, LastUpdated = ?, Started = ?, Resolved = ?, Told = ? WHERE id = ?',
        undef, $spec->{created}, $last, $started // '1970-01-01 00:00:00',
        ( $t->Status eq 'resolved' ? $resolved // $last : '1970-01-01 00:00:00' ),
        $told // '1970-01-01 00:00:00', $id
    );
    $dbh->do( 'UPDATE ObjectCustomFieldValues SET Created = ?, LastUpdated = ? WHERE ObjectType = ? AND ObjectId = ?',
        undef, $spec->{created}, $last, 'RT::Ticket', $id );
    $count{ $t->Status }++;
}

for my $right (qw(SeeCustomField SetInitialCustomField)) {
    my ( $ok, $msg ) = $everyone->PrincipalObj->RevokeRight( Right => $right, Object => RT->System );
    $ok or fail "revoke Everyone $right: $msg";
}
my ($values) = $dbh->selectrow_array('SELECT count(*) FROM ObjectCustomFieldValues WHERE Disabled = 0');
print "custom field values: $values\n";

# The company's set-up happened before the first ticket.
for my $table (qw(Users Groups Queues CustomFields Scrips Templates)) {
    $dbh->do( "UPDATE $table SET Created = ?, LastUpdated = ?", undef, '2026-01-05 09:00:00', '2026-01-05 09:00:00' );
}
$dbh->do( 'UPDATE Transactions SET Created = ? WHERE ObjectType <> ?', undef, '2026-01-05 09:00:00', 'RT::Ticket' );

printf "tickets: %d (%s)\n", scalar @tickets, join( ', ', map {"$_ $count{$_}"} sort keys %count );
