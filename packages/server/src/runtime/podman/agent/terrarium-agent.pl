#!/usr/bin/perl
# Terrarium's exec agent: the fast path of `execute`. It runs as the container's first process (under
# podman's init), leaves a listener daemon behind, then execs the image's own command, which stays the
# direct child of init. The daemon's commands inherit what podman exec gives: the container's
# namespaces, cgroup, capabilities, seccomp profile, user, environment and working directory.
# Only perl-base modules are used, so it runs in every image built on Debian minbase.
#
# One request per TCP connection:
#   request  "TRA1", u32 length, then: token NUL timeout-seconds NUL output-limit NUL command
#   answer   frames (type byte, u32 length, payload): "O" stdout, "E" stderr, then the last one:
#            "X" "<exit status> <truncated 0|1> <timed out 0|1>", or "F" <why the command did not run>.
# The command runs as `/bin/sh -c COMMAND` in a process group of its own. Its time limit works as
# `timeout --kill-after=2 SECONDS` does (TERM to the group, KILL 2 s later; status 124, or 137 when
# KILL was needed), and the group is killed when the client goes away. One process serves every
# connection, and a spare process forked ahead runs the next command: on this kind of host a fork costs
# milliseconds, so only an exec is on a command's path.
use strict;
use warnings;

my $PORT            = 7399;
my $MAX_REQUEST     = 16 * 1024 * 1024;
my $KILL_AFTER      = 2;
my $REQUEST_SECONDS = 30;
# Output waiting for a slow client: past this, the command's pipes are not read (it waits to write).
my $MAX_QUEUED = 256 * 1024;

my @app = @ARGV;
die "terrarium agent: no command to run\n" unless @app;
my $token = delete $ENV{TERRARIUM_AGENT_TOKEN};
if (defined $token && $token ne '') {
    eval { start($token); 1 } or print STDERR "terrarium agent: not started: $@";
}
exec { $app[0] } @app or die "terrarium agent: cannot run $app[0]: $!\n";

# Binds the port, then leaves the daemon behind: in a session of its own, a child of init, not of the app.
sub start {
    my ($token) = @_;
    require POSIX;
    require IO::Socket::INET;
    my $listener = IO::Socket::INET->new(
        LocalAddr => '0.0.0.0',
        LocalPort => $PORT,
        Proto     => 'tcp',
        Listen    => 128,
        ReuseAddr => 1,
    ) or die "cannot listen on port $PORT: $@\n";
    my $pid = fork // die "cannot fork: $!\n";
    if ($pid == 0) {
        POSIX::setsid();
        my $daemon = fork;
        if (defined $daemon && $daemon == 0) {
            eval { Daemon::run($listener, $token) };
            POSIX::_exit(1);
        }
        POSIX::_exit(0);
    }
    waitpid $pid, 0;
    close $listener;
}

package Daemon;

my ($listener, $secret, $cwd, $wake_r, $wake_w, $ticks);
my %conns;      # fileno of the client socket => connection
my %running;    # pid of a command => its connection
my $spare;      # the process that runs the next command

sub run {
    ($listener, $secret) = @_;
    $0 = 'terrarium-agent';
    open STDIN,  '<', '/dev/null' or die;
    open STDOUT, '>', '/dev/null' or die;
    open STDERR, '>', '/dev/null' or die;
    $cwd   = POSIX::getcwd();
    $ticks = POSIX::sysconf(POSIX::_SC_CLK_TCK());
    pipe $wake_r, $wake_w or die;
    $_->blocking(0) for $listener, $wake_r, $wake_w;
    $SIG{PIPE} = 'IGNORE';
    $SIG{CHLD} = sub { syswrite $wake_w, 'x' };
    fork_spare();
    while (1) {
        eval { turn(); 1 } or select undef, undef, undef, 0.1;
    }
}

sub now { (POSIX::times())[0] / $ticks }

# One turn of the event loop: wait for sockets, pipes, exits or a deadline, then act on them.
sub turn {
    my ($in, $out) = ('', '');
    vec($in, fileno $listener, 1) = 1;
    vec($in, fileno $wake_r,   1) = 1;
    my $next;
    for my $c (values %conns) {
        vec($in,  fileno $c->{sock}, 1) = 1 unless $c->{done};
        vec($out, fileno $c->{sock}, 1) = 1 if length $c->{queue};
        if (length $c->{queue} < $MAX_QUEUED) { vec($in, fileno $_, 1) = 1 for values %{ $c->{pipes} } }
        $next = $c->{deadline} if defined $c->{deadline} && (!defined $next || $c->{deadline} < $next);
    }
    my $wait = defined $next ? $next - now() : undef;
    $wait = 0 if defined $wait && $wait < 0;
    my $ready = select my $readable = $in, my $writable = $out, undef, $wait;
    return if $ready < 0;    # a signal: its handler woke the pipe
    sysread $wake_r, my $scratch, 4096 if vec $readable, fileno $wake_r, 1;
    reap();
    accept_all() if vec $readable, fileno $listener, 1;
    my $time = now();
    for my $c (values %conns) {
        next if $c->{closed};
        if (!$c->{done} && vec $readable, fileno $c->{sock}, 1) { receive($c) or next }
        for my $type (keys %{ $c->{pipes} }) {
            pump($c, $type) if $c->{pipes}{$type} && vec $readable, fileno $c->{pipes}{$type}, 1;
        }
        if (defined $c->{deadline} && $c->{deadline} <= $time) { expire($c, $time) or next }
        flush($c) if length $c->{queue};
    }
    fork_spare() unless $spare;
}

sub accept_all {
    while (my $sock = $listener->accept) {
        $sock->blocking(0);
        setsockopt $sock, 6, 1, 1;    # TCP_NODELAY: frames leave at once
        $conns{ fileno $sock } = {
            sock     => $sock,
            request  => '',
            queue    => '',
            pipes    => {},
            kept     => { O => 0, E => 0 },
            deadline => now() + $REQUEST_SECONDS,
        };
    }
}

# Bytes from the client: the request, or, once it runs, the sign that the client went away.
sub receive {
    my ($c) = @_;
    my $read = sysread $c->{sock}, my $data, 65536;
    return 1 if !defined $read && $!{EAGAIN};
    return drop($c) unless $read;
    return 1 if $c->{pid} || $c->{done};
    $c->{request} .= $data;
    return 1 if length $c->{request} < 8;
    my ($magic, $length) = unpack 'a4 N', $c->{request};
    return refuse($c, 'not a Terrarium exec request') unless $magic eq 'TRA1';
    return refuse($c, 'request too large') if $length > $MAX_REQUEST;
    return 1 if length $c->{request} < 8 + $length;
    my ($given, $seconds, $limit, $command) = split /\0/, substr($c->{request}, 8, $length), 4;
    $c->{request} = '';
    return refuse($c, 'token refused') unless same($given, $secret);
    return refuse($c, 'malformed request')
      unless defined $command && $seconds =~ /^\d+(?:\.\d+)?(?:e[-+]?\d+)?$/i && $limit =~ /^\d+$/;
    $c->{limit} = $limit;
    return spawn($c, $seconds, $command);
}

# Hands the command to the spare process, which execs it. A spare that died before it read the
# command never ran it, so a second one is tried.
sub spawn {
    my ($c, $seconds, $command) = @_;
    for (1 .. 2) {
        fork_spare() unless $spare;
        return refuse($c, "cannot start the command: $!") unless $spare;
        my $s = $spare;
        undef $spare;
        my $sent = write_all($s->{ctl}, "x$command");
        close $s->{ctl};
        unless ($sent) {
            kill 'KILL', $s->{pid};
            next;
        }
        $c->{pid}      = $s->{pid};
        $c->{pipes}    = { O => $s->{out}, E => $s->{err} };
        $c->{deadline} = now() + $seconds;
        $running{ $s->{pid} } = $c;
        return 1;
    }
    return refuse($c, 'cannot start the command: the process meant to run it died');
}

# The next command's process, forked ahead: on this kind of host a fork costs milliseconds, which a
# spare takes off the answer's path. It waits for a command on a pipe, then execs /bin/sh with it.
sub fork_spare {
    pipe my $ctl_r, my $ctl_w or return;
    pipe my $out_r, my $out_w or return;
    pipe my $err_r, my $err_w or return;
    my $pid = fork;
    return unless defined $pid;
    if ($pid == 0) {
        eval { be_spare($ctl_r, $out_w, $err_w) };
        POSIX::_exit(127);
    }
    close $_ for $ctl_r, $out_w, $err_w;
    $_->blocking(0) for $out_r, $err_r;
    $spare = { pid => $pid, ctl => $ctl_w, out => $out_r, err => $err_r };
}

sub be_spare {
    my ($ctl, $out, $err) = @_;
    # Ignored signals stay ignored across exec: give the command the defaults podman exec gives.
    $SIG{PIPE} = 'DEFAULT';
    $SIG{CHLD} = 'DEFAULT';
    POSIX::setsid();
    open my $null, '<', '/dev/null' or die;
    POSIX::dup2(fileno $null, 0);
    POSIX::dup2(fileno $out,  1);
    POSIX::dup2(fileno $err,  2);
    # Nothing of the daemon's stays open here: a copy of a client's socket would keep that
    # connection alive (and a memory checkpoint fails on open connections).
    opendir my $dir, '/proc/self/fd' or die;
    my @fds = grep { /^\d+$/ && $_ > 2 && $_ != fileno $ctl } readdir $dir;
    closedir $dir;
    POSIX::close($_) for @fds;
    POSIX::sigprocmask(POSIX::SIG_SETMASK(), POSIX::SigSet->new);
    my $command = '';
    while (sysread $ctl, my $chunk, 65536) { $command .= $chunk }
    POSIX::_exit(0) unless length $command;    # retired before it got a command
    substr $command, 0, 1, '';
    chdir $cwd if defined $cwd;
    { no warnings 'exec'; exec { '/bin/sh' } '/bin/sh', '-c', $command; }
    syswrite STDERR, "terrarium agent: cannot run /bin/sh: $!\n";
}

sub write_all {
    my ($fh, $data) = @_;
    while (length $data) {
        my $written = syswrite $fh, $data;
        return 0 unless $written;
        substr $data, 0, $written, '';
    }
    return 1;
}

# Output of the command: kept up to the limit, the rest read and dropped so the command never blocks.
# Answers whether it read anything.
sub pump {
    my ($c, $type) = @_;
    my $read = sysread $c->{pipes}{$type}, my $data, 65536;
    return 0 if !defined $read && $!{EAGAIN};
    unless ($read) { delete $c->{pipes}{$type}; return 0 }
    my $room = $c->{limit} - $c->{kept}{$type};
    if ($read > $room) {
        $c->{truncated} = 1;
        $data = $room > 0 ? substr($data, 0, $room) : '';
    }
    return 1 unless length $data;
    $c->{kept}{$type} += length $data;
    $c->{queue} .= pack('a1 N', $type, length $data) . $data;
    return 1;
}

sub reap {
    while ((my $pid = waitpid(-1, POSIX::WNOHANG())) > 0) {
        undef $spare if $spare && $spare->{pid} == $pid;
        my $c = delete $running{$pid} or next;
        finish($c, $?);
    }
}

# Like podman exec, the answer comes when the command exits, even if a child it left in the
# background still holds its output open. What the command wrote is in the pipes already.
sub finish {
    my ($c, $status) = @_;
    for my $type (sort keys %{ $c->{pipes} }) { 1 while $c->{pipes}{$type} && pump($c, $type) }
    my $code =
        $c->{killed}              ? 137
      : $c->{timed_out}           ? 124
      : POSIX::WIFEXITED($status) ? POSIX::WEXITSTATUS($status)
      :                             128 + POSIX::WTERMSIG($status);
    delete $c->{pid};
    $c->{pipes} = {};
    answer($c, 'X', join ' ', $code, $c->{truncated} ? 1 : 0, $c->{timed_out} ? 1 : 0);
}

sub expire {
    my ($c, $time) = @_;
    return drop($c) unless $c->{pid};    # the request never came whole
    if (!$c->{timed_out}) {
        $c->{timed_out} = 1;
        kill 'TERM', -$c->{pid};
        $c->{deadline} = $time + $KILL_AFTER;
    } else {
        $c->{killed} = 1;
        kill 'KILL', -$c->{pid};
        delete $c->{deadline};
    }
    return 1;
}

sub refuse { my ($c, $why) = @_; answer($c, 'F', $why) }

sub answer {
    my ($c, $type, $payload) = @_;
    $c->{queue} .= pack('a1 N', $type, length $payload) . $payload;
    $c->{done} = 1;
    delete $c->{deadline};
    return flush($c);
}

sub flush {
    my ($c) = @_;
    my $written = syswrite $c->{sock}, $c->{queue};
    if (!defined $written) { return 1 if $!{EAGAIN}; return drop($c) }
    substr $c->{queue}, 0, $written, '';
    return drop($c) if $c->{done} && !length $c->{queue};
    return 1;
}

# Closes a connection; a command still running loses its whole process group.
sub drop {
    my ($c) = @_;
    if ($c->{pid}) {
        kill 'KILL', -$c->{pid};
        delete $running{ $c->{pid} };
    }
    delete $conns{ fileno $c->{sock} };
    close $c->{sock};
    $c->{closed} = 1;
    return 0;
}

# Compares in a time that does not depend on where the strings differ.
sub same {
    my ($given, $expected) = @_;
    return 0 unless defined $given && length $given == length $expected;
    return (($given ^ $expected) =~ tr/\0//c) == 0;
}
