# find-jdk.sh -- sourced by ./vmm, scripts/test and .ci/run: finds a JDK 25 or newer.
#
# vmm_find_jdk: on success exports JAVA_HOME (a JDK >= 25, with javac) and sets VMM_JAVA to its java;
# on failure prints how to install one and returns 1. Order: $JAVA_HOME, Temurin 25 where Debian's
# packages put it, any other /usr/lib/jvm/* of version >= 25, the java on PATH.

VMM_MIN_JAVA=25

# The feature version (25, 26, ...; 8 for 1.8) of the JDK at $1, or nothing.
vmm_jdk_version() {
    local home=$1 v=
    [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 1
    if [ -r "$home/release" ]; then
        v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release")
    fi
    if [ -z "$v" ]; then
        v=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
    fi
    [ -n "$v" ] || return 1
    case $v in
        1.*) v=${v#1.} ;;
    esac
    echo "${v%%[.+-]*}"
}

vmm_is_jdk() {
    local v
    v=$(vmm_jdk_version "$1") || return 1
    [ -n "$v" ] && [ "$v" -ge "$VMM_MIN_JAVA" ] 2>/dev/null
}

vmm_find_jdk() {
    local candidate
    local -a candidates=()
    [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
    candidates+=(/usr/lib/jvm/temurin-25-jdk-amd64)
    for candidate in /usr/lib/jvm/*/; do
        candidates+=("${candidate%/}")
    done
    if command -v java >/dev/null 2>&1; then
        candidate=$(readlink -f "$(command -v java)")
        candidates+=("${candidate%/bin/java}")
    fi
    for candidate in "${candidates[@]}"; do
        if vmm_is_jdk "$candidate"; then
            export JAVA_HOME=$candidate
            VMM_JAVA=$candidate/bin/java
            return 0
        fi
    done
    {
        echo "vmm: no JDK $VMM_MIN_JAVA or newer found (looked at \$JAVA_HOME, /usr/lib/jvm/* and java on PATH)."
        echo "vmm: install Temurin 25 (https://adoptium.net, or apt-get install temurin-25-jdk from the Adoptium"
        echo "vmm: repository) and set JAVA_HOME to it, e.g. export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64"
    } >&2
    return 1
}
