<?php
// Turns seed/pages/*.wiki into a MediaWiki XML dump (export format 0.11) on stdout.
//
// A .wiki file holds pages, each starting with "%%% Title", then its revisions, oldest first:
//   #rev USER DAYS-AGO SUMMARY        (a SUMMARY starting with "(minor)" marks a minor edit)
// then the text of the latest revision. A line prefixed {N} first appears in revision N, {-N}
// disappears in revision N, {N-M} lives in revisions N to M-1. "~~~~" signs as the user of the
// revision that added the line, dated as MediaWiki would. Dates are relative to the build.
$dir = $argv[1];
$now = time();
$out = fopen('php://stdout', 'w');
fwrite($out, "<mediawiki xmlns=\"http://www.mediawiki.org/xml/export-0.11/\" version=\"0.11\" xml:lang=\"en\">\n");
$files = glob("$dir/*.wiki");
sort($files);
$seen = [];
foreach ($files as $file) {
	$chunks = preg_split('/^%%% /m', file_get_contents($file));
	foreach ($chunks as $chunk) {
		if (trim($chunk) === '') continue;
		$lines = explode("\n", rtrim($chunk, "\n"));
		$title = trim(array_shift($lines));
		if (isset($seen[$title])) { fwrite(STDERR, "duplicate page $title\n"); exit(1); }
		$seen[$title] = true;
		$revs = [];
		while ($lines && preg_match('/^#rev (\S+) ([\d.]+) (.*)$/', $lines[0], $m)) {
			array_shift($lines);
			$revs[] = ['user' => ucfirst($m[1]), 'ts' => $now - (int)round((float)$m[2] * 86400), 'summary' => $m[3]];
		}
		if (!$revs) { fwrite(STDERR, "no revisions for $title\n"); exit(1); }
		for ($i = 1; $i < count($revs); $i++) {
			if ($revs[$i]['ts'] <= $revs[$i - 1]['ts']) { fwrite(STDERR, "revisions out of order in $title\n"); exit(1); }
		}
		fwrite($out, "  <page>\n    <title>" . htmlspecialchars($title, ENT_XML1) . "</title>\n");
		$prev = null;
		foreach ($revs as $n => $rev) {
			$r = $n + 1;
			$text = [];
			foreach ($lines as $line) {
				$from = 1; $until = PHP_INT_MAX;
				if (preg_match('/^\{(\d*)(?:-(\d+))?\}/', $line, $m)) {
					$line = substr($line, strlen($m[0]));
					if ($m[1] !== '') $from = (int)$m[1];
					if (isset($m[2]) && $m[2] !== '') $until = (int)$m[2];
				}
				if ($r < $from || $r >= $until) continue;
				if (strpos($line, '~~~~') !== false) {
					$s = $revs[$from - 1];
					$sig = "[[User:{$s['user']}|{$s['user']}]] ([[User talk:{$s['user']}|talk]]) "
						. gmdate('H:i, j F Y', $s['ts']) . ' (UTC)';
					$line = str_replace('~~~~', $sig, $line);
				}
				$text[] = $line;
			}
			$text = trim(implode("\n", $text)) . "\n";
			if ($text === $prev) { fwrite(STDERR, "revision $r of $title changes nothing\n"); exit(1); }
			$prev = $text;
			$summary = $rev['summary'];
			$minor = false;
			if (strpos($summary, '(minor) ') === 0) { $minor = true; $summary = substr($summary, 8); }
			fwrite($out, "    <revision>\n      <timestamp>" . gmdate('Y-m-d\TH:i:s\Z', $rev['ts']) . "</timestamp>\n"
				. "      <contributor><username>" . htmlspecialchars($rev['user'], ENT_XML1) . "</username></contributor>\n"
				. ($minor ? "      <minor/>\n" : '')
				. "      <comment>" . htmlspecialchars($summary, ENT_XML1) . "</comment>\n"
				. "      <model>wikitext</model>\n      <format>text/x-wiki</format>\n"
				. "      <text xml:space=\"preserve\">" . htmlspecialchars($text, ENT_XML1) . "</text>\n"
				. "    </revision>\n");
		}
		fwrite($out, "  </page>\n");
	}
}
fwrite($out, "</mediawiki>\n");
