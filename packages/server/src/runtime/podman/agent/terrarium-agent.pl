#!/usr/bin/perl
# Terrarium's exec agent: the fast path of `execute`. It runs as the container's first process (under
# podman's init), leaves a listener daemon behind, then execs the image's own command, which stays the
# direct child of init. The daemon's commands inherit what podman exec gives: the container's
# namespaces, cgroup, capabilities, seccomp profile, user, environment and working directory.
# Only perl-base modules are used, so it runs in every image built on Debian minbase.
#
# One request per TCP connection:
#   request  "TRA2", u32 length, then four fields, each a u32 length and its bytes: token,
#            timeout-seconds, output-limit, command (any bytes: nothing in it can end a field early).
#   answer   frames (type byte, u32 length, payload): "O" stdout, "E" stderr, then the last one: "X"
#            "<exit status> <stdout cut 0|1> <stderr cut 0|1> <timed out 0|1>", or "F" <why the command
#            did not run>.
# The command runs as `/bin/sh -c COMMAND` (a long one is handed over in a memory file, see `be_runner`)
# in a session of its own, under a keeper process that is a child subreaper: what the command leaves
# behind when a process of its tree exits is adopted by the keeper, not by init, so the whole tree can be
# found. Its time limit works as `timeout --kill-after=2 SECONDS` does, on that whole tree (TERM, KILL
# 2 s later; status 124, or 137 when KILL was needed), and the tree is killed when the client goes
# away. A command that ends by itself leaves its background processes running, as podman exec does:
# the keeper exits with it, and they pass to init. One process serves every connection, and a keeper
# with its runner, forked ahead, runs the next command: on this kind of host a fork costs
# milliseconds, so only an exec is on a command's path.
use strict;
use warnings;

my $PORT            = 7399;
# The API's 16 MiB body, and room for the request's other fields.
my $MAX_REQUEST     = 16 * 1024 * 1024 + 4096;
my $KILL_AFTER      = 2;
my $REQUEST_SECONDS = 30;
# Output waiting for a slow client: past this, the command's pipes are not read (it waits to write).
my $MAX_QUEUED = 256 * 1024;
# Longer commands do not go in exec's arguments, where Linux allows one string 128 KiB.
my $MAX_ARGUMENT = 64 * 1024;

my @app = @ARGV;
die "terrarium agent: no command to run\n" unless @app;
with_clock();
my $token = delete $ENV{TERRARIUM_AGENT_TOKEN};
if (defined $token && $token ne '') {
    eval { start($token); 1 } or print STDERR "terrarium agent: not started: $@";
}
exec { $app[0] } @app or die "terrarium agent: cannot run $app[0]: $!\n";

# The environment's clock, which `set_date` moves: where the image opts in (ENV TERRARIUM_CLOCK=on)
# and has libfaketime, the agent runs itself again with it preloaded, so that the app and every
# command see the real time moved by the offset in /dev/shm/terrarium-date (no file: the real time),
# read again at most once a second. The agent, as the first process with it, makes the semaphore
# every later one shares: without that, each command would make its own and leave it in /dev/shm.
# Monotonic clocks stay real, or a date moved back would make running timeouts wait for years; file
# times too (libfaketime would move those that stat() reads but not those statx() reads).
# /dev/shm is in a memory snapshot but not in a disk one: an environment booted from that starts on
# the real time.
sub with_clock {
    # Opt-in: every time call then goes through libfaketime, which made redmine's Ruby about 2.7 times
    # slower here (fossil and mediawiki opt in, redmine does not).
    return unless ($ENV{TERRARIUM_CLOCK} // '') eq 'on';
    my ($library) = grep { -r } glob '/usr/lib/*/faketime/libfaketime.so.1';
    return unless defined $library;
    my @preload = grep { length } split /[: ]+/, $ENV{LD_PRELOAD} // '';
    if (grep { $_ eq $library } @preload) {
        # The second run. libfaketime made its objects for this user only: the app's own users share
        # them too (one who cannot open them makes their own).
        my ($sem, $shm) = map { s{^/}{}r } split ' ', $ENV{FAKETIME_SHARED} // '';
        chmod 0666, "/dev/shm/sem.$sem", "/dev/shm/$shm" if defined $shm;
        return;
    }
    local $ENV{LD_PRELOAD}                   = join ' ', $library, @preload;
    local $ENV{FAKETIME_TIMESTAMP_FILE}      = '/dev/shm/terrarium-date';
    local $ENV{FAKETIME_CACHE_DURATION}      = 0;
    local $ENV{FAKETIME_DONT_FAKE_MONOTONIC} = 1;
    local $ENV{NO_FAKE_STAT}                 = 1;
    local $ENV{FAKE_UTIME}                   = 0;
    { no warnings 'exec'; exec { $^X } $^X, $0, @app; }
    print STDERR "terrarium agent: the clock cannot be moved: cannot run $^X: $!\n";
}

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
        vec($in, fileno $c->{status}, 1) = 1 if $c->{status};
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
        exited($c) if $c->{status} && vec $readable, fileno $c->{status}, 1;
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
            cut      => {},
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
    return refuse($c, 'not a Terrarium exec request') unless $magic eq 'TRA2';
    return refuse($c, 'request too large') if $length > $MAX_REQUEST;
    return 1 if length $c->{request} < 8 + $length;
    # Read in place: a command can be 16 MiB, and copies of it stay in the daemon's memory.
    my @fields = unpack 'x8 N/a N/a N/a N/a', $c->{request};
    $c->{request} = '';
    my $used = 0;
    $used += 4 + length for @fields;
    return refuse($c, 'malformed request') unless @fields == 4 && $used == $length;
    my ($given, $seconds, $limit, $command) = @fields;
    return refuse($c, 'token refused') unless same($given, $secret);
    # exec would end the command at a NUL byte: what runs must be all that was sent.
    my $nul = index $command, "\0";
    return refuse($c, "the command contains a NUL byte at position $nul") if $nul >= 0;
    return refuse($c, 'malformed request')
      unless length $command && $seconds =~ /^\d+(?:\.\d+)?(?:e[-+]?\d+)?$/i && $limit =~ /^\d+$/;
    $c->{limit} = $limit;
    return spawn($c, $seconds, $command);
}

# Hands the command to the spare's runner, which execs it. A runner that died before it read the
# command never ran it, so a second spare is tried.
sub spawn {
    my ($c, $seconds, $command) = @_;
    for (1 .. 2) {
        fork_spare() unless $spare;
        return refuse($c, "cannot start the command: $!") unless $spare;
        my $s = $spare;
        undef $spare;
        my $sent = write_all($s->{ctl}, $command);
        close $s->{ctl};
        unless ($sent) {
            kill 'KILL', $s->{pid};
            next;
        }
        $c->{pid}      = $s->{pid};
        $c->{pipes}    = { O => $s->{out}, E => $s->{err} };
        $c->{status}   = $s->{status};
        $c->{deadline} = now() + $seconds;
        $running{ $s->{pid} } = $c;
        return 1;
    }
    return refuse($c, 'cannot start the command: the process meant to run it died');
}

# The next command's processes, forked ahead: on this kind of host a fork costs milliseconds, which a
# spare takes off the answer's path. The keeper forks the runner, which waits for a command on a pipe,
# then execs /bin/sh with it; the keeper stays its parent.
sub fork_spare {
    pipe my $ctl_r, my $ctl_w or return;
    pipe my $out_r, my $out_w or return;
    pipe my $err_r, my $err_w or return;
    pipe my $status_r, my $status_w or return;
    my $pid = fork;
    return unless defined $pid;
    if ($pid == 0) {
        eval { Keeper::run($ctl_r, $out_w, $err_w, $status_w) };
        POSIX::_exit(127);
    }
    close $_ for $ctl_r, $out_w, $err_w, $status_w;
    $_->blocking(0) for $out_r, $err_r, $status_r;
    $spare = { pid => $pid, ctl => $ctl_w, out => $out_r, err => $err_r, status => $status_r };
}

# Writes $_[1] whole, without a copy of it.
sub write_all {
    my ($fh) = @_;
    my ($at, $length) = (0, length $_[1]);
    while ($at < $length) {
        my $written = syswrite $fh, $_[1], $length - $at, $at;
        return 0 unless $written;
        $at += $written;
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
        $c->{cut}{$type} = 1;
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
        finish($c, exit_code($?));
    }
}

sub exit_code {
    my ($status) = @_;
    return POSIX::WIFEXITED($status) ? POSIX::WEXITSTATUS($status) : 128 + POSIX::WTERMSIG($status);
}

# The keeper's word of the command's exit status, sent before it exits itself: the answer need not
# wait for the keeper's own end. A keeper that died without a word is reaped instead.
sub exited {
    my ($c) = @_;
    my $read = sysread $c->{status}, my $word, 16;
    return if !defined $read && $!{EAGAIN};
    return delete $c->{status} unless $read && $word =~ /^(\d+)\n$/;
    delete $running{ $c->{pid} };
    finish($c, $1);
}

# Like podman exec, the answer comes when the command exits, even if a child it left in the
# background still holds its output open. What the command wrote is in the pipes already.
sub finish {
    my ($c, $status) = @_;
    for my $type (sort keys %{ $c->{pipes} }) { 1 while $c->{pipes}{$type} && pump($c, $type) }
    my $code =
        $c->{killed}    ? 137
      : $c->{timed_out} ? 124
      :                   $status;
    delete $c->{pid};
    delete $c->{status};
    $c->{pipes} = {};
    answer($c, 'X', join ' ', $code, map({ $c->{cut}{$_} ? 1 : 0 } 'O', 'E'), $c->{timed_out} ? 1 : 0);
}

sub expire {
    my ($c, $time) = @_;
    return drop($c) unless $c->{pid};    # the request never came whole
    if (!$c->{timed_out}) {
        $c->{timed_out} = 1;
        kill 'TERM', $c->{pid};    # the keeper: TERM to the command's tree
        $c->{deadline} = $time + $KILL_AFTER;
    } else {
        $c->{killed} = 1;
        kill 'USR1', $c->{pid};    # the keeper: KILL to the command's tree
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

# Closes a connection; a command still running loses its whole tree.
sub drop {
    my ($c) = @_;
    if ($c->{pid}) {
        kill 'USR1', $c->{pid};
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

# The process a command runs under: a child subreaper, so that whatever its tree leaves without a
# parent comes to the keeper rather than to init. It stays until the command (the runner, once it
# execs /bin/sh) exits, then exits with its status, leaving the background processes to init. Once
# the daemon has ended the command, it stays until the whole tree is gone.
package Keeper;

# System calls perl has no function for, by machine: prctl (to become a child subreaper) and
# memfd_create (the memory file a long command is handed over in). Elsewhere the keeper is no
# subreaper (its tree is what still has a parent in it) and a long command goes in a file in /tmp.
# (Constants, not variables: the daemon starts before the file's later statements would run.)
use constant SYSCALLS => {
    x86_64  => { prctl => 157, memfd_create => 319 },
    aarch64 => { prctl => 167, memfd_create => 279 },
};
use constant PR_SET_CHILD_SUBREAPER => 36;
# Runs a long command from fd 3 as `sh -c` runs one: read whole (the "." keeps the trailing newlines
# a command substitution drops; without it the command was not read to its end and does not run),
# fd 3 closed, and `set --` inside the eval, so the command sees no positional parameters.
use constant FROM_FD3 => 'set -- "$(cat <&3 && echo .)"; exec 3<&-; '
  . 'case $1 in *.) ;; *) echo "terrarium agent: could not read the command" >&2; exit 126 ;; esac; '
  . 'eval "set --; ${1%.}"';

my ($calls, $runner, $ending);

sub run {
    my ($ctl, $out, $err, $word) = @_;
    $calls = SYSCALLS->{ (POSIX::uname())[4] } || {};
    $SIG{CHLD} = 'DEFAULT';
    my $signals = POSIX::SigSet->new(POSIX::SIGTERM(), POSIX::SIGUSR1());
    POSIX::sigprocmask(POSIX::SIG_BLOCK(), $signals);
    # From the daemon: TERM when the command's time is up, USR1 to kill its tree now.
    $SIG{TERM} = sub { end('TERM') };
    $SIG{USR1} = sub { end('KILL') };
    syscall($calls->{prctl}, PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) if $calls->{prctl};
    $runner = fork // die;
    if ($runner == 0) {
        eval { be_runner($ctl, $out, $err) };
        syswrite STDERR, "terrarium agent: $@" if $@;
        POSIX::_exit(127);
    }
    close_all(fileno $word);
    POSIX::sigprocmask(POSIX::SIG_UNBLOCK(), $signals);
    my $status;
    while (1) {
        my $pid = waitpid(-1, 0);
        if ($pid < 0) { next if $!{EINTR}; last }    # no child left: nothing of the tree is
        $status = $? if $pid == $runner;
        last if defined $status && !$ending;
        signal_tree('KILL') if $ending && $ending eq 'KILL';    # what was forked while the tree died
    }
    my $code = defined $status ? Daemon::exit_code($status) : 127;
    syswrite $word, "$code\n";
    POSIX::_exit($code);
}

sub end {
    my ($signal) = @_;
    $ending = $signal unless $ending && $ending eq 'KILL';
    signal_tree($signal);
}

# Every process under the keeper, found from /proc by parent, whatever session or process group it
# went to: what lost its parent on the way is the keeper's child now.
sub signal_tree {
    my ($signal) = @_;
    my %children;
    opendir my $proc, '/proc' or return;
    for my $pid (grep { /^\d+$/ } readdir $proc) {
        open my $stat, '<', "/proc/$pid/stat" or next;
        my $line = do { local $/; <$stat> } // '';
        my ($ppid) = $line =~ /.*\)\s+\S+\s+(\d+)/s;    # after the name, which may hold anything
        push @{ $children{$ppid} }, $pid if defined $ppid;
    }
    closedir $proc;
    my @tree;
    my @todo = ($$);
    while (defined(my $pid = shift @todo)) {
        my $under = $children{$pid} or next;
        push @tree, @$under;
        push @todo, @$under;
    }
    kill $signal, @tree if @tree;
}

sub be_runner {
    my ($ctl, $out, $err) = @_;
    # Ignored signals stay ignored across exec: give the command the defaults podman exec gives.
    $SIG{$_} = 'DEFAULT' for qw(PIPE CHLD TERM USR1);
    POSIX::setsid();
    open my $null, '<', '/dev/null' or die;
    POSIX::dup2(fileno $null, 0);
    POSIX::dup2(fileno $out,  1);
    POSIX::dup2(fileno $err,  2);
    # Nothing of the daemon's stays open here: a copy of a client's socket would keep that
    # connection alive (and a memory checkpoint fails on open connections).
    close_all(fileno $ctl);
    POSIX::sigprocmask(POSIX::SIG_SETMASK(), POSIX::SigSet->new);
    my $command = '';
    while (sysread $ctl, my $chunk, 65536) { $command .= $chunk }
    POSIX::_exit(0) unless length $command;    # retired before it got a command
    close $ctl;
    chdir $cwd if defined $cwd;
    # Until set_date has moved the clock, a command runs without libfaketime: loading it costs every
    # command a few milliseconds. (A process a command leaves running before the first set_date keeps
    # the real time; the app, started with it, follows.)
    without_clock() unless -e '/dev/shm/terrarium-date';
    my @shell = ('/bin/sh', '-c', $command);
    @shell = ('/bin/sh', '-c', FROM_FD3) if length $command > $MAX_ARGUMENT && hand_over($command);
    { no warnings 'exec'; exec { $shell[0] } @shell; }
    syswrite STDERR, "terrarium agent: cannot run /bin/sh: $!\n";
}

sub without_clock {
    my @preload = grep { length && !m{/faketime/libfaketime} } split /[: ]+/, $ENV{LD_PRELOAD} // '';
    if (@preload) { $ENV{LD_PRELOAD} = join ' ', @preload }
    else          { delete $ENV{LD_PRELOAD} }
}

# The handle of a long command's file: kept until the exec, since perl closes a handle's descriptor
# when the handle goes away, and the file may have come as fd 3 itself (libfaketime's descriptors
# move the numbers).
my $handed;

# Puts a long command on fd 3, in a memory file (or an unlinked file in /tmp), read from the start.
sub hand_over {
    my ($command) = @_;
    $^F = 3;    # fd 3 stays open across exec
    my $fd = $calls->{memfd_create} ? syscall($calls->{memfd_create}, my $name = 'terrarium-command', 0) : -1;
    my $file;
    if ($fd >= 0) { open $file, '+<&=', $fd or die "cannot open the memory file: $!\n" }
    else          { open $file, '+>', undef or die "cannot make a file for the command: $!\n" }
    Daemon::write_all($file, $command) or die "cannot write the command: $!\n";
    sysseek $file, 0, 0 or die "cannot read the command back: $!\n";
    POSIX::dup2(fileno $file, 3) // die "cannot hand the command over: $!\n" unless fileno $file == 3;
    $handed = $file;
    return 1;
}

sub close_all {
    my %keep = map { $_ => 1 } @_;
    opendir my $dir, '/proc/self/fd' or die;
    my @fds = grep { /^\d+$/ && $_ > 2 && !$keep{$_} } readdir $dir;
    closedir $dir;
    POSIX::close($_) for @fds;
}
