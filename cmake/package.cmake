# `cpack -G DEB` builds shmkit_<version>_amd64.deb from the install rules.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME shmkit)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "shmkit developers <shmkit-dev@lists.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "inspect, create, read, write, watch and remove Linux shared memory")
set(CPACK_PACKAGE_DESCRIPTION
"shmkit is one command-line tool for all three kinds of Linux shared memory:
System V segments (shmget), POSIX objects (shm_open, /dev/shm) and plain
files mapped MAP_SHARED, with one grammar for naming them.

It lists segments with typed JSON and lsipc-style columns, creates and
removes them safely (orphan detection, identity re-checks), reads and writes
their contents by offset as raw bytes, hexdump -C or xxd views and typed
values, holds them attached, and watches their contents change. Bash and zsh
completion and man pages are included.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "bash-completion")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://shmkit.invalid/")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
include(CPack)
