import { describe, expect, it } from 'vitest';
import { nodeExporterSamples } from '../../test/support/node-exporter-golden.ts';
import { osFacts, parseOsRelease } from './os-release.ts';

/** /etc/os-release of Debian 12; the 64-bit Raspberry Pi OS (bookworm) ships this same file. */
const DEBIAN_12 = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
`;

/** /etc/os-release of the 32-bit Raspberry Pi OS (Raspbian) bookworm. */
const RASPBIAN_12 = `PRETTY_NAME="Raspbian GNU/Linux 12 (bookworm)"
NAME="Raspbian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=raspbian
ID_LIKE=debian
HOME_URL="http://www.raspbian.org/"
SUPPORT_URL="http://www.raspbian.org/RaspbianForums"
BUG_REPORT_URL="http://www.raspbian.org/RaspbianBugs"
`;

/** Ubuntu 20.04.2, the release node_exporter's end-to-end output describes. */
const UBUNTU_20_04_2 = `NAME="Ubuntu"
VERSION="20.04.2 LTS (Focal Fossa)"
ID=ubuntu
ID_LIKE=debian
PRETTY_NAME="Ubuntu 20.04.2 LTS"
VERSION_ID="20.04"
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
VERSION_CODENAME=focal
UBUNTU_CODENAME=focal
`;

describe('parseOsRelease', () => {
  it('reads quoted and unquoted values (Debian 12)', () => {
    const fields = parseOsRelease(DEBIAN_12);
    expect(fields.PRETTY_NAME).toBe('Debian GNU/Linux 12 (bookworm)');
    expect(fields.VERSION_CODENAME).toBe('bookworm');
    expect(fields.ID).toBe('debian');
    expect(fields.ID_LIKE).toBeUndefined();
    expect(osFacts(fields).version).toBe(12);
  });

  it('follows shell quoting: escapes in double quotes, none in single quotes, comments and blanks', () => {
    const fields = parseOsRelease(
      [
        '# written by hand',
        '',
        'NAME="Acme \\"Linux\\" \\$HOME \\n"',
        "VARIANT='Server \\Edition'",
        'ID=acme\\ os',
        'BUILD_ID=2024.1 # a trailing comment',
        'not an assignment',
        'ID=acme',
      ].join('\n'),
    );
    expect(fields).toEqual({
      NAME: 'Acme "Linux" $HOME \\n',
      VARIANT: 'Server \\Edition',
      ID: 'acme',
      BUILD_ID: '2024.1',
    });
  });

  it('reads an empty file as no fields', () => {
    expect(parseOsRelease('')).toEqual({});
  });
});

describe('osFacts', () => {
  it('labels Raspbian bookworm and reads its version as 12', () => {
    const facts = osFacts(parseOsRelease(RASPBIAN_12));
    expect(facts.info).toEqual({
      build_id: '',
      id: 'raspbian',
      id_like: 'debian',
      image_id: '',
      image_version: '',
      name: 'Raspbian GNU/Linux',
      pretty_name: 'Raspbian GNU/Linux 12 (bookworm)',
      variant: '',
      variant_id: '',
      version: '12 (bookworm)',
      version_codename: 'bookworm',
      version_id: '12',
    });
    expect(facts.version).toBe(12);
    expect(facts.supportEnd).toBeUndefined();
  });

  it('gives the labels and version node_exporter reported for Ubuntu 20.04.2', () => {
    const facts = osFacts(parseOsRelease(UBUNTU_20_04_2));
    expect(nodeExporterSamples('node_os_info')[0]?.labels).toEqual(facts.info);
    expect(nodeExporterSamples('node_os_version')[0]).toEqual({
      name: 'node_os_version',
      labels: { id: 'ubuntu', id_like: 'debian', name: 'Ubuntu' },
      value: facts.version,
    });
  });

  it('keeps major.minor only, as node_exporter does', () => {
    expect(osFacts(parseOsRelease(UBUNTU_20_04_2)).version).toBe(20.04);
    expect(osFacts({ VERSION_ID: '9.3.2' }).version).toBe(9.3);
    expect(osFacts({ VERSION_ID: '24.04.1' }).version).toBe(24.04);
  });

  it('leaves the version out where there is none to read (rolling releases, 0)', () => {
    expect(osFacts({ ID: 'arch' }).version).toBeUndefined();
    expect(osFacts({ VERSION_ID: 'rolling' }).version).toBeUndefined();
    expect(osFacts({ VERSION_ID: '0' }).version).toBeUndefined();
  });

  it('reads SUPPORT_END as midnight UTC and ignores dates that are not dates', () => {
    expect(osFacts({ SUPPORT_END: '2025-05-13' }).supportEnd).toBe(Date.UTC(2025, 4, 13) / 1000);
    expect(osFacts({ SUPPORT_END: '2025-02-30' }).supportEnd).toBeUndefined();
    expect(osFacts({ SUPPORT_END: 'soon' }).supportEnd).toBeUndefined();
  });
});
