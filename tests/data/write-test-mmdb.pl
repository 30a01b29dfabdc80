#!/usr/bin/perl
#
# Copyright (c) 2026 syslog-ng-zimbra-auth developers
#
# This program is free software; you can redistribute it and/or modify it
# under the terms of the GNU General Public License version 2 or, at your
# option, any later version, as published by the Free Software Foundation.
#
# Writes the MMDB files that tests/test_geo_database.c and
# tests/test_geo_lookup.c read into the directory named by the only argument
# (created when missing).  Needs
# Debian's libmaxmind-db-writer-perl.  tests/data/README.md lists what each
# file holds; keep the two in step.
#
# Every network is a documentation range (RFC 5737, RFC 3849), so none of
# this can be mistaken for real geolocation data.  The writer's default of
# dropping reserved networks is switched off for exactly that reason.

use strict;
use warnings;

use File::Path qw(make_path);
use MaxMind::DB::Writer::Tree;

my $dir = shift @ARGV;
die "usage: $0 OUTPUT-DIRECTORY\n" if !defined $dir || @ARGV;
make_path($dir);

# Types of the map keys in the MaxMind GeoIP2 City schema.
my %maxmind_types = (
    accuracy_radius    => 'uint16',
    city               => 'map',
    code               => 'utf8_string',
    continent          => 'map',
    country            => 'map',
    de                 => 'utf8_string',
    en                 => 'utf8_string',
    fr                 => 'utf8_string',
    iso_code           => 'utf8_string',
    latitude           => 'double',
    location           => 'map',
    longitude          => 'double',
    names              => 'map',
    registered_country => 'map',
    subdivisions       => [ 'array', 'map' ],
    time_zone          => 'utf8_string',
);

# Types in the flat schema of ip-location-db's dbip-city-mmdb: coordinates
# are 32-bit floats there, and absent text is an empty string.
my %flat_types = (
    city         => 'utf8_string',
    country_code => 'utf8_string',
    latitude     => 'float',
    longitude    => 'float',
    postcode     => 'utf8_string',
    state1       => 'utf8_string',
    state2       => 'utf8_string',
    timezone     => 'utf8_string',
);

my %asn_types = (
    autonomous_system_number       => 'uint32',
    autonomous_system_organization => 'utf8_string',
);

my $inf = 9**9**9;
my $nan = $inf - $inf;

# regions: a list of subdivisions, each an English name or a map with
# iso_code and names, largest first.
sub maxmind_place {
    my (%p) = @_;
    my %record;

    $record{country} = $p{country} if $p{country};
    $record{subdivisions} = [ map { ref $_ ? $_ : { names => { en => $_ } } } @{ $p{regions} } ]
        if $p{regions};
    $record{city} = { names => $p{city} } if $p{city};
    $record{location} = $p{location} if $p{location};
    return \%record;
}

my @maxmind_networks = (
    [   '203.0.113.0/24',
        maxmind_place(
            country  => { iso_code => 'JP', names => { en => 'Japan', de => 'Japan' } },
            regions  => [ { iso_code => '13', names => { en => 'Tokyo' } } ],
            city     => { en => 'Tokyo' },
            location => {
                latitude        => 35.6895,
                longitude       => 139.6917,
                accuracy_radius => 20,
                time_zone       => 'Asia/Tokyo',
            },
        ),
    ],
    [   '198.51.100.0/24',
        maxmind_place(
            country  => {
                iso_code => 'US',
                names    => { en => 'United States', de => 'Vereinigte Staaten' },
            },
            regions  => [ { iso_code => 'HI', names => { en => 'Hawaii' } }, 'Honolulu County' ],
            city     => { en => 'Honolulu' },
            location => { latitude => 21.3069, longitude => -157.8583 },
        ),
    ],
    # a country and its centre, nothing finer
    [   '192.0.2.0/26',
        maxmind_place(
            country  => { iso_code => 'FR', names => { en => 'France' } },
            location => { latitude => 46, longitude => 2 },
        ),
    ],
    # a city without a location
    [   '192.0.2.64/26',
        maxmind_place(
            country => { iso_code => 'NL', names => { en => 'Netherlands', de => 'Niederlande' } },
            regions => [
                { iso_code => 'NH', names => { en => 'North Holland', de => 'Nordholland' } },
            ],
            city    => { en => 'Amsterdam' },
        ),
    ],
    # an entry with no country at all, only where the network is registered
    [   '192.0.2.128/26',
        {   continent          => { code => 'EU', names => { en => 'Europe' } },
            registered_country => { iso_code => 'BE', names => { en => 'Belgium' } },
        },
    ],
    # 192.0.2.192/26 is left out on purpose
    [   '2001:db8:1::/48',
        maxmind_place(
            country  => { iso_code => 'DE', names => { en => 'Germany' } },
            regions  => [ { iso_code => 'BE', names => { en => 'Berlin' } } ],
            city     => { en => 'Berlin' },
            location => { latitude => 52.52, longitude => 13.405 },
        ),
    ],
    # empty names and a location map without coordinates
    [   '2001:db8:2::/48',
        maxmind_place(
            country  => { iso_code => 'CH' },
            regions  => [''],
            city     => { en => '' },
            location => { accuracy_radius => 500, time_zone => 'Europe/Zurich' },
        ),
    ],
    # names in another language only, no subdivisions, half a location
    [   '2001:db8:3::/48',
        {   country      => { iso_code => 'SE', names => { de => 'Schweden' } },
            subdivisions => [],
            city         => { names => { de => 'Stockholm' } },
            location     => { latitude => 59.3293 },
        },
    ],
    # coordinates that are no place on Earth
    [   '2001:db8:4::/48',
        maxmind_place(
            country  => { iso_code => 'AQ' },
            location => { latitude => $nan, longitude => 0 },
        ),
    ],
    [   '2001:db8:5::/48',
        maxmind_place(
            country  => { iso_code => 'AQ' },
            location => { latitude => -91, longitude => 0 },
        ),
    ],
    # two levels of subdivisions with codes, names in three languages, non-ASCII text
    [   '2001:db8:6::/48',
        maxmind_place(
            country  => {
                iso_code => 'FR',
                names    => { en => 'France', de => 'Frankreich', fr => 'France' },
            },
            regions  => [
                {   iso_code => 'IDF',
                    names    => { en => "\x{ce}le-de-France", fr => "\x{ce}le-de-France" },
                },
                { iso_code => '75', names => { en => 'Paris', fr => 'Paris' } },
            ],
            city     => { en => 'Paris', de => 'Paris', fr => 'Paris' },
            location => { latitude => 48.8566, longitude => 2.3522 },
        ),
    ],
);

# The same schema with other places: what a later release of city-maxmind.mmdb says.
my @maxmind_update_networks = (
    [   '203.0.113.0/24',
        maxmind_place(
            country  => { iso_code => 'NZ', names => { en => 'New Zealand' } },
            regions  => [ { iso_code => 'AUK', names => { en => 'Auckland' } } ],
            city     => { en => 'Auckland' },
            location => { latitude => -36.8485, longitude => 174.7633 },
        ),
    ],
    [   '2001:db8:1::/48',
        maxmind_place(
            country  => { iso_code => 'AT', names => { en => 'Austria' } },
            regions  => [ { iso_code => '9', names => { en => 'Vienna' } } ],
            city     => { en => 'Vienna' },
            location => { latitude => 48.2082, longitude => 16.3738 },
        ),
    ],
);

sub flat_place {
    my (%p) = @_;
    my %record = map { $_ => '' } qw(country_code state1 state2 city postcode timezone);

    $record{$_} = $p{$_} for grep { defined $p{$_} } keys %record;
    $record{latitude} = $p{latitude} if defined $p{latitude};
    $record{longitude} = $p{longitude} if defined $p{longitude};
    return \%record;
}

my @flat_networks = (
    [   '203.0.113.0/24',
        flat_place(
            country_code => 'JP',
            state1       => 'Tokyo',
            city         => 'Tokyo',
            latitude     => 35.6895,
            longitude    => 139.6917,
        ),
    ],
    [   '198.51.100.0/24',
        flat_place(
            country_code => 'US',
            state1       => 'Hawaii',
            city         => 'Honolulu',
            postcode     => '96813',
            latitude     => 21.3069,
            longitude    => -157.8583,
        ),
    ],
    [ '192.0.2.0/26', flat_place(country_code => 'FR', latitude => 46, longitude => 2) ],
    [   '192.0.2.64/26',
        flat_place(country_code => 'NL', state1 => 'North Holland', city => 'Amsterdam'),
    ],
    # every text empty, no coordinates
    [ '192.0.2.128/26', flat_place() ],
    [   '2001:db8:1::/48',
        flat_place(
            country_code => 'DE',
            state1       => 'Berlin',
            city         => 'Berlin',
            latitude     => 52.52,
            longitude    => 13.405,
        ),
    ],
    [ '2001:db8:2::/48', flat_place(country_code => 'CH', latitude => 47) ],
    [ '2001:db8:4::/48', flat_place(country_code => 'AQ', latitude => $inf, longitude => 0) ],
    [ '2001:db8:5::/48', flat_place(country_code => 'AQ', latitude => 0, longitude => 180.5) ],
);

my @asn_networks = (
    [   '203.0.113.0/24',
        {   autonomous_system_number       => 64496,
            autonomous_system_organization => 'Example Networks',
        },
    ],
);

sub asn {
    my ($number, $organization) = @_;
    my %record = (autonomous_system_number => $number);

    $record{autonomous_system_organization} = $organization if defined $organization;
    return \%record;
}

# MaxMind GeoLite2-ASN: every record has both fields, except where noted.
my @maxmind_asn_networks = (
    [ '203.0.113.0/24',  asn(64496, 'Example Networks') ],
    [ '198.51.100.0/24', asn(64500, "Exampl\x{e9} Transit") ],
    # a number without an organization
    [ '192.0.2.64/26',   asn(64499) ],
    [ '2001:db8:1::/48', asn(64497, 'Example IPv6 Networks') ],
    # a 32-bit AS number (RFC 6996 private use range)
    [ '2001:db8:2::/48', asn(4200000000, 'Example Four-Byte AS') ],
);

# ip-location-db's flat ASN files: one per family, empty text for unknown
# organizations, AS 0 for networks that no AS announces.
my @flat_asn_networks = (
    [ '203.0.113.0/24',  asn(64496, 'Example Networks') ],
    [ '198.51.100.0/24', asn(0,     'Not routed') ],
    [ '192.0.2.0/26',    asn(64501, '') ],
    [ '2001:db8:1::/48', asn(64497, 'Example IPv6 Networks') ],
);

sub build_tree {
    my (%p) = @_;
    my %types = %{ $p{types} };
    my $tree = MaxMind::DB::Writer::Tree->new(
        ip_version               => $p{ip_version},
        record_size              => 24,
        database_type            => $p{database_type},
        languages                => ['en'],
        description              => { en => "syslog-ng-zimbra-auth test data: $p{database_type}" },
        map_key_type_callback    => sub { $types{ $_[0] } },
        remove_reserved_networks => 0,
        # no aliases: the reader itself must turn ::ffff:a.b.c.d into a.b.c.d
        alias_ipv6_to_ipv4 => 0,
    );

    for my $network (@{ $p{networks} }) {
        next if $p{ip_version} == 4 && $network->[0] =~ /:/;
        next if $p{ipv6_only} && $network->[0] !~ /:/;
        $tree->insert_network(@$network);
    }
    return $tree;
}

# Write through a temporary name so that an interrupted run leaves no half file.
sub write_bytes {
    my ($name, $bytes) = @_;
    my $path = "$dir/$name";

    open my $fh, '>:raw', "$path.tmp" or die "cannot write $path.tmp: $!\n";
    print {$fh} $bytes or die "cannot write $path.tmp: $!\n";
    close $fh or die "cannot write $path.tmp: $!\n";
    rename "$path.tmp", $path or die "cannot rename $path.tmp: $!\n";
}

sub tree_bytes {
    my $tree = build_tree(@_);
    my $bytes = '';

    open my $fh, '>:raw', \$bytes or die "cannot write to memory: $!\n";
    $tree->write_tree($fh);
    close $fh;
    return $bytes;
}

my %good = (
    'city-maxmind.mmdb' => tree_bytes(
        ip_version    => 6,
        database_type => 'GeoIP2-City',
        types         => \%maxmind_types,
        networks      => \@maxmind_networks,
    ),
    'city-flat.mmdb' => tree_bytes(
        ip_version    => 6,
        database_type => 'city ipv6',
        types         => \%flat_types,
        networks      => \@flat_networks,
    ),
    'city-flat-ipv4.mmdb' => tree_bytes(
        ip_version    => 4,
        database_type => 'city ipv4',
        types         => \%flat_types,
        networks      => \@flat_networks,
    ),
    # a type name the reader does not know: the shape of the data decides
    'shape-maxmind.mmdb' => tree_bytes(
        ip_version    => 6,
        database_type => 'Zimbra-Auth-Test-Location',
        types         => \%maxmind_types,
        networks      => \@maxmind_networks,
    ),
    'shape-flat.mmdb' => tree_bytes(
        ip_version    => 6,
        database_type => 'Zimbra-Auth-Test-Location',
        types         => \%flat_types,
        networks      => \@flat_networks,
    ),
    # ip-location-db's IPv6 file holds the IPv6 networks only
    'city-flat-ipv6.mmdb' => tree_bytes(
        ip_version    => 6,
        database_type => 'city ipv6',
        types         => \%flat_types,
        networks      => \@flat_networks,
        ipv6_only     => 1,
    ),
    'city-maxmind-update.mmdb' => tree_bytes(
        ip_version    => 6,
        database_type => 'GeoIP2-City',
        types         => \%maxmind_types,
        networks      => \@maxmind_update_networks,
    ),
    'asn-maxmind.mmdb' => tree_bytes(
        ip_version    => 6,
        database_type => 'GeoLite2-ASN',
        types         => \%asn_types,
        networks      => \@maxmind_asn_networks,
    ),
    'asn-flat-ipv4.mmdb' => tree_bytes(
        ip_version    => 4,
        database_type => 'asn ipv4',
        types         => \%asn_types,
        networks      => \@flat_asn_networks,
    ),
    'asn-flat-ipv6.mmdb' => tree_bytes(
        ip_version    => 6,
        database_type => 'asn ipv6',
        types         => \%asn_types,
        networks      => \@flat_asn_networks,
        ipv6_only     => 1,
    ),
    # an ASN file under a type name the reader does not know: the shape decides
    'asn.mmdb' => tree_bytes(
        ip_version    => 6,
        database_type => 'Zimbra-Auth-Test-ASN',
        types         => \%asn_types,
        networks      => \@asn_networks,
    ),
);

write_bytes($_, $good{$_}) for sort keys %good;

# Broken files.
my $maxmind = $good{'city-maxmind.mmdb'};
my $ipv4 = $good{'city-flat-ipv4.mmdb'};

write_bytes('empty.mmdb', '');
write_bytes('not-mmdb.mmdb', "This is a text file, not a MaxMind DB.\n" x 8);
# the metadata marker is near the end, so the first half has none
write_bytes('truncated.mmdb', substr($maxmind, 0, int(length($maxmind) / 2)));
# the marker survives but the metadata map after it is cut short
write_bytes('truncated-metadata.mmdb', substr($maxmind, 0, length($maxmind) - 12));

# Both halves of the first search-tree node (two 24-bit records, IPv4 tree)
# point far beyond the file: MMDB_open accepts it, every lookup fails.
my $corrupt_tree = $ipv4;
substr($corrupt_tree, 0, 6) = "\xff" x 6;
write_bytes('corrupt-tree.mmdb', $corrupt_tree);

# The first copy of the key "country_code" (control byte 0x4c: a 12-byte
# string) becomes a double (control byte 0x68), so the record maps have a
# key that is not a string and MMDB_get_value reports invalid data.
my $corrupt_data = $ipv4;
my $key_at = index($corrupt_data, "\x4ccountry_code");
die "the key country_code was not found in city-flat-ipv4.mmdb\n" if $key_at < 0;
substr($corrupt_data, $key_at, 1) = "\x68";
write_bytes('corrupt-data.mmdb', $corrupt_data);

# Text that is not clean UTF-8: a stray byte in "Honolulu" and a NUL in
# "Amsterdam" (each city name occurs once; the writer stores a string once).
my $bad_text = $ipv4;
for my $edit ([ 'Honolulu', "Hono\xffulu" ], [ 'Amsterdam', "Amst\0rdam" ]) {
    my ($from, $to) = @$edit;
    my $at = index($bad_text, $from);
    die "the replacement for $from must keep its length\n" if length($to) != length($from);
    die "the string $from was not found in city-flat-ipv4.mmdb\n" if $at < 0;
    substr($bad_text, $at, length($from)) = $to;
}
write_bytes('bad-text.mmdb', $bad_text);
