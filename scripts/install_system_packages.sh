#!/usr/bin/env bash
# Install the Debian packages the platform needs at run time and in its tests.
#
#   scripts/install_system_packages.sh            # runtime packages
#   scripts/install_system_packages.sh --browser  # ... plus chromium for the browser tests
#   scripts/install_system_packages.sh --bench    # ... plus wrk, the load tool of bench/
#
# Idempotent and quiet when everything is already installed. As root it runs
# `apt-get update` once and installs whatever is missing; as any other user it
# prints a warning naming the missing packages and carries on (exit 0).
set -euo pipefail

packages=(
    fonts-noto-cjk      # CJK glyphs for the PDF notices and pages: Noto Sans CJK, and Noto Serif CJK
                        # from which notices/fonts/build_fonts.py cuts the court documents' serif
    libharfbuzz-subset0 # WeasyPrint font subsetting
    libpango-1.0-0      # WeasyPrint layout
    libpangoft2-1.0-0
    libharfbuzz0b
    libfontconfig1
    poppler-utils       # pdftotext / pdftoppm, used by tests to read generated PDFs
    gettext             # msgfmt for compilemessages / makemessages
)

for arg in "$@"; do
    case "$arg" in
        --browser) packages+=(chromium) ;;
        --bench) packages+=(wrk) ;;
        -h | --help)
            sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "install_system_packages.sh: unknown argument: $arg" >&2
            exit 2
            ;;
    esac
done

is_installed() {
    local status
    status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]]
}

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "WARNING: dpkg-query not found (not a Debian-based system?); make sure these are installed:" >&2
    echo "  ${packages[*]}" >&2
    exit 0
fi

missing=()
for pkg in "${packages[@]}"; do
    is_installed "$pkg" || missing+=("$pkg")
done

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    {
        echo "WARNING: missing Debian packages: ${missing[*]}"
        echo "  PDF rendering, translations or browser tests may not work until you run:"
        echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
    } >&2
    exit 0
fi

echo "Installing missing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
