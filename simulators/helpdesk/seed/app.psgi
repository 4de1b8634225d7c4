# RT's PSGI application (Debian's rt-server returns it when loaded from another file), behind a
# wrapper that takes the server's name from the Host header each request came with: the environment
# is reached under the routing proxy's host names and ports, and RT builds its redirects, its REST 2
# `_url` links and the links in its mail from SERVER_NAME, SERVER_PORT and WebBaseURL. Each starman
# worker serves one request at a time, so setting the configuration per request is safe.
use strict;
use warnings;
my $rt = do '/usr/share/request-tracker5/libexec/rt-server' or die "rt-server: $@ $!";
sub {
    my $env = shift;
    if ( ( $env->{HTTP_HOST} // '' ) =~ /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/ ) {
        my $https = ( $env->{HTTP_X_FORWARDED_PROTO} // '' ) eq 'https';
        my ( $name, $port ) = ( $1, $2 // ( $https ? 443 : 80 ) );
        my $base = ( $https ? 'https' : 'http' ) . "://$env->{HTTP_HOST}";
        $env->{SERVER_NAME} = $name;
        $env->{SERVER_PORT} = $port;
        RT->Config->Set( WebDomain  => $name );
        RT->Config->Set( WebPort    => $port );
        RT->Config->Set( WebBaseURL => $base );
        RT->Config->Set( WebURL     => "$base/" );
    }
    return $rt->($env);
};
