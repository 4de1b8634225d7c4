
# ---- Terrarium ----
# The server URL comes from each request's Host header (and X-Forwarded-Host/-Proto behind a proxy),
# never the one seen at install time, so redirects keep the host and port the client used.
# (WebRequest::detectServer() is not used: in 1.39 it appends ":80" to every plain-HTTP URL.)
if ( PHP_SAPI === 'cli' ) {
	$wgServer = 'http://localhost';
} else {
	$terrariumHost = $_SERVER['HTTP_X_FORWARDED_HOST'] ?? $_SERVER['HTTP_HOST'] ?? $_SERVER['SERVER_NAME'] ?? 'localhost';
	$terrariumHost = trim( explode( ',', $terrariumHost )[0] );
	if ( !preg_match( '/^[A-Za-z0-9.\-]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$/', $terrariumHost ) ) {
		$terrariumHost = 'localhost';
	}
	$wgServer = WebRequest::detectProtocol() . '://' . $terrariumHost;
	unset( $terrariumHost );
}
$wgCanonicalServer = $wgServer;


# The Kestrel logo, one of the seeded uploads.
$wgLogos = [ '1x' => '/images/5/5a/Kestrel-logo.png', 'icon' => '/images/5/5a/Kestrel-logo.png' ];

# Caches and sessions in APCu, not in database tables.
$wgMainCacheType = CACHE_ACCEL;
$wgParserCacheType = CACHE_ACCEL;
$wgSessionCacheType = CACHE_ACCEL;
$wgMessageCacheType = CACHE_ACCEL;

# Uploads.
$wgEnableUploads = true;
$wgUseImageMagick = true;
$wgImageMagickConvertCommand = '/usr/bin/convert';
$wgFileExtensions = [ 'png', 'gif', 'jpg', 'jpeg', 'webp', 'svg', 'pdf', 'txt', 'csv' ];
$wgMaxUploadSize = 20 * 1024 * 1024;

# An internal knowledge base: visitors read, accounts edit, only administrators create accounts.
$wgGroupPermissions['*']['edit'] = false;
$wgGroupPermissions['*']['createaccount'] = false;
$wgGroupPermissions['user']['edit'] = true;
$wgGroupPermissions['user']['upload'] = true;
$wgNamespacesWithSubpages[NS_MAIN] = true;

# No mail server in the environment.
$wgEnableEmail = false;
$wgEnableUserEmail = false;

$wgRCMaxAge = 180 * 24 * 3600;
$wgShowExceptionDetails = true;

# Bundled extensions (Debian's mediawiki package ships them).
foreach ( [ 'ParserFunctions', 'Cite', 'WikiEditor', 'CategoryTree', 'InputBox', 'Nuke', 'Renameuser', 'Interwiki' ] as $ext ) {
	wfLoadExtension( $ext );
}
$wgPFEnableStringFunctions = true;
