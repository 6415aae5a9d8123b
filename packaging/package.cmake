# Install layout and the Debian packages (README "Installing the package").
#
#   portd            /usr/sbin/portd, /usr/bin/portctl, the units, sysusers/tmpfiles snippets,
#                    the configuration template in /usr/share/portd, docs, manual pages, bash
#                    completion
#   telegent-sim     the Telegent API simulator (never needed in production), in its own package
#   *-dbgsym         their debug symbols (.ddeb), split off by CPack
#
# Everything that names a path (the units) is generated for CMAKE_INSTALL_PREFIX: configure the
# package build with -DCMAKE_INSTALL_PREFIX=/usr (tools/package does) and the units say
# /usr/sbin/portd and /etc/portd; a /usr/local build says /usr/local/sbin/portd and
# /usr/local/etc/portd.

set(PORTD_MAINTAINER "portd maintainers <portd-maintainers@example.org>" CACHE STRING
    "the Maintainer field of the .deb packages: a distributor sets its own")
set(PORTD_SYSTEMD_UNIT_DIR "lib/systemd/system" CACHE STRING
    "where the units go, relative to the prefix")

set(PORTD_SBINDIR "${CMAKE_INSTALL_FULL_SBINDIR}")
set(PORTD_CONFDIR "${CMAKE_INSTALL_FULL_SYSCONFDIR}/portd")
set(PORTD_STATEDIR "${CMAKE_INSTALL_FULL_LOCALSTATEDIR}/lib")
set(PORTD_DOCDIR "${CMAKE_INSTALL_FULL_DATAROOTDIR}/doc/portd")
set(PORTD_DATADIR "${CMAKE_INSTALL_DATAROOTDIR}/portd")

# ---- units: one template each for the single daemon and for one instance per account -------
set(PORTD_UNIT_BUILD_DIR "${PROJECT_BINARY_DIR}/systemd")
function(portd_units suffix)
  cmake_parse_arguments(U "" "DESCRIPTION;CONFIG;SECRET;STATE;LISTEN;NOTE" "" ${ARGN})
  set(UNIT_NAME "portd${suffix}")
  set(UNIT_SOCKET "portd${suffix}.socket")
  if(suffix STREQUAL "@")
    set(UNIT_SOCKET "portd@%i.socket")
  endif()
  foreach(v DESCRIPTION CONFIG SECRET STATE LISTEN NOTE)
    set(UNIT_${v} "${U_${v}}")
  endforeach()
  configure_file(${PROJECT_SOURCE_DIR}/systemd/portd.service.in
                 ${PORTD_UNIT_BUILD_DIR}/portd${suffix}.service @ONLY)
  configure_file(${PROJECT_SOURCE_DIR}/systemd/portd.socket.in
                 ${PORTD_UNIT_BUILD_DIR}/portd${suffix}.socket @ONLY)
endfunction()
portd_units("" DESCRIPTION "portd, Telegent number-port order daemon"
  CONFIG "${PORTD_CONFDIR}/portd.toml" SECRET "${PORTD_CONFDIR}/telegent-secret"
  STATE "portd" LISTEN "/run/portd/portd.sock" NOTE "one daemon")
portd_units("@" DESCRIPTION "portd for Telegent account %i"
  CONFIG "${PORTD_CONFDIR}/%i/portd.toml" SECRET "${PORTD_CONFDIR}/%i/telegent-secret"
  STATE "portd/%i" LISTEN "/run/portd/%i.sock" NOTE "one instance per Telegent account: portd@NAME")

install(FILES ${PORTD_UNIT_BUILD_DIR}/portd.service ${PORTD_UNIT_BUILD_DIR}/portd.socket
              ${PORTD_UNIT_BUILD_DIR}/portd@.service ${PORTD_UNIT_BUILD_DIR}/portd@.socket
        DESTINATION ${PORTD_SYSTEMD_UNIT_DIR} COMPONENT portd)
install(FILES systemd/portd.sysusers DESTINATION lib/sysusers.d RENAME portd.conf COMPONENT portd)
install(FILES systemd/portd.tmpfiles DESTINATION lib/tmpfiles.d RENAME portd.conf COMPONENT portd)
install(FILES systemd/portd.toml.example DESTINATION ${PORTD_DATADIR} COMPONENT portd)
install(FILES packaging/prometheus/portd.rules.yml DESTINATION ${PORTD_DATADIR}/prometheus COMPONENT portd)
install(FILES packaging/grafana/portd.json DESTINATION ${PORTD_DATADIR}/grafana COMPONENT portd)
install(FILES packaging/bash-completion/portctl
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/bash-completion/completions COMPONENT portd)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/portd COMPONENT portd)
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/portd/docs COMPONENT portd
        FILES_MATCHING PATTERN "*.md")
install(FILES tools/telegent-sim/README.md
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/telegent-sim COMPONENT sim)
install(FILES tools/telegent-sim/sim.toml DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/telegent-sim
        RENAME sim.toml.example COMPONENT sim)

# ---- copyright and changelog per package (Debian policy 12.5, 12.7) -------------------------
set(PORTD_DEB_VERSION "${PROJECT_VERSION}")
configure_file(packaging/changelog.in ${PROJECT_BINARY_DIR}/packaging/changelog @ONLY)
find_program(PORTD_GZIP gzip REQUIRED)
add_custom_command(
  OUTPUT ${PROJECT_BINARY_DIR}/packaging/changelog.gz
  COMMAND ${PORTD_GZIP} -9nc ${PROJECT_BINARY_DIR}/packaging/changelog > ${PROJECT_BINARY_DIR}/packaging/changelog.gz
  DEPENDS ${PROJECT_BINARY_DIR}/packaging/changelog VERBATIM)
set(_docs_out ${PROJECT_BINARY_DIR}/packaging/changelog.gz)
foreach(_pkg portd telegent-sim)
  set(_comp portd)
  if(_pkg STREQUAL "telegent-sim")
    set(_comp sim)
  endif()
  install(FILES packaging/copyright ${PROJECT_BINARY_DIR}/packaging/changelog.gz
          DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/${_pkg} COMPONENT ${_comp})
endforeach()

# ---- manual pages from --help (help2man), gzipped ------------------------------------------
# help2man runs each program by its bare name from a directory of links, so the pages say
# "portd", not the build path.
find_program(PORTD_HELP2MAN help2man)
if(PORTD_HELP2MAN)
  set(_mandir ${PROJECT_BINARY_DIR}/man)
  set(_pages)
  foreach(_spec "portd|8|portd|the Telegent number-port order daemon"
                "portctl|1|portd|look at and steer portd's number-port orders"
                "telegent-sim|1|sim|a local simulator of the Telegent mPaaS API")
    string(REPLACE "|" ";" _spec "${_spec}")
    list(GET _spec 0 _prog)
    list(GET _spec 1 _sec)
    list(GET _spec 2 _comp)
    list(GET _spec 3 _name)
    if(NOT TARGET ${_prog})
      continue()
    endif()
    set(_include ${PROJECT_SOURCE_DIR}/packaging/man/${_prog}.h2m)
    set(_include_arg)
    set(_include_dep)
    if(EXISTS ${_include})
      set(_include_arg --include=${_include})
      set(_include_dep ${_include})
    endif()
    add_custom_command(
      OUTPUT ${_mandir}/${_prog}.${_sec}.gz
      COMMAND ${CMAKE_COMMAND} -E make_directory ${_mandir}/bin
      COMMAND ${CMAKE_COMMAND} -E create_symlink $<TARGET_FILE:${_prog}> ${_mandir}/bin/${_prog}
      COMMAND ${CMAKE_COMMAND} -E env PATH=${_mandir}/bin:$ENV{PATH}
              ${PORTD_HELP2MAN} --no-info --section=${_sec} --name=${_name}
              --version-string=${PROJECT_VERSION} ${_include_arg}
              --output=${_mandir}/${_prog}.${_sec} ${_prog}
      COMMAND ${PORTD_GZIP} -9nf ${_mandir}/${_prog}.${_sec}
      DEPENDS ${_prog} ${_include_dep} VERBATIM)
    list(APPEND _pages ${_mandir}/${_prog}.${_sec}.gz)
    install(FILES ${_mandir}/${_prog}.${_sec}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man${_sec}
            COMPONENT ${_comp})
  endforeach()
  list(APPEND _docs_out ${_pages})
else()
  message(STATUS "help2man not found: no manual pages (tools/bootstrap installs it)")
endif()
add_custom_target(portd_docs ALL DEPENDS ${_docs_out})

# ---- CPack: one .deb per component, debug symbols split off --------------------------------
set(CPACK_PACKAGE_NAME portd)
set(CPACK_PACKAGE_VENDOR "The portd authors")
set(CPACK_PACKAGE_CONTACT "${PORTD_MAINTAINER}")
# CPackDeb puts one package-wide summary in front of every component's description unless it is
# CPack's own default text; each component's description below starts with its own synopsis.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_NAME} built using CMake")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_GENERATOR DEB)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL portd sim)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # <name>_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${PORTD_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # Depends from dpkg-shlibdeps (libboost-json, libspdlog, …)
set(CPACK_DEBIAN_DEBUGINFO_PACKAGE ON)  # <name>-dbgsym_<version>_<arch>.ddeb; strips the binaries
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_PORTD_PACKAGE_NAME portd)
set(CPACK_DEBIAN_PORTD_PACKAGE_SECTION net)
# tzdata: [poll] time_zone is looked up in /usr/share/zoneinfo (libdate-tz3, which
# dpkg-shlibdeps adds, depends on it too; named here because portd reads it at every start).
set(CPACK_DEBIAN_PORTD_PACKAGE_DEPENDS "systemd (>= 250), tzdata")
set(CPACK_DEBIAN_PORTD_PACKAGE_SUGGESTS "telegent-sim")
set(CPACK_COMPONENT_PORTD_DESCRIPTION "Telegent number-port order daemon
portd carries telephone-number port orders (port-in and port-out) through
their whole life on the Telegent API: durable in SQLite, rate-limited,
polled until done, driven through a local socket by portctl. It runs as a
hardened, socket-activated systemd service, one instance per Telegent
account if needed (portd@.service).")
set(CPACK_DEBIAN_PORTD_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/systemd/debian/postinst
    ${PROJECT_SOURCE_DIR}/systemd/debian/prerm
    ${PROJECT_SOURCE_DIR}/systemd/debian/postrm)

set(CPACK_DEBIAN_SIM_PACKAGE_NAME telegent-sim)
set(CPACK_DEBIAN_SIM_PACKAGE_SECTION devel)
set(CPACK_COMPONENT_SIM_DESCRIPTION "local simulator of the Telegent mPaaS API
telegent-sim speaks the Telegent number-porting API on loopback and plays a
losing carrier that takes its time, rejects, and misbehaves on request: for
trying portd out and for testing integrations. Not for production hosts.")
include(CPack)
