"""The switch-wide files: freeswitch.xml, vars.xml and the small autoload_configs.

The layout follows FreeSWITCH's vanilla configuration (``conf/vanilla``): ``freeswitch.xml``
includes ``vars.xml`` (preprocessor variables), then every ``autoload_configs/*.xml`` in the
configuration section, ``dialplan/*.xml``, ``directory/*.xml`` and ``lang/en/*.xml``.
"""

from __future__ import annotations

from ccore.fsconf.inputs import RenderInputs
from ccore.fsconf.xmlgen import (
    Comment,
    Element,
    elem,
    param,
    preprocess,
    render_document,
    render_include,
)

GENERATED = (
    "Rendered by ccore from center.toml. Do not edit: change center.toml, run `ccore conf render`."
)
SOUND_PREFIX = "$${sounds_dir}/en/us/callie"

BASE_MODULES: tuple[tuple[str, str], ...] = (
    ("Loggers", "mod_console"),
    ("Loggers", "mod_logfile"),
    ("Event handlers", "mod_event_socket"),
    ("Endpoints", "mod_sofia"),
    ("Endpoints", "mod_loopback"),
    ("Applications", "mod_commands"),
    ("Applications", "mod_dptools"),
    ("Dialplan", "mod_dialplan_xml"),
)
MEDIA_MODULES: tuple[str, ...] = (
    "mod_sndfile", "mod_native_file", "mod_local_stream", "mod_tone_stream",
)


def freeswitch_xml() -> str:
    """The root document: preprocessor variables, then one section per kind of XML."""
    root = elem("document", [("type", "freeswitch/xml")], [
        preprocess("include", "vars.xml"),
        elem("section", [("name", "configuration"), ("description", "Various Configuration")],
             [preprocess("include", "autoload_configs/*.xml")]),
        elem("section", [("name", "dialplan"), ("description", "Regex/XML Dialplan")],
             [preprocess("include", "dialplan/*.xml")]),
        elem("section", [("name", "directory"), ("description", "User Directory")],
             [preprocess("include", "directory/*.xml")]),
        elem("section", [("name", "languages"), ("description", "Language Management")],
             [preprocess("include", "lang/en/*.xml")]),
    ])
    return render_document(root, GENERATED, xml_declaration=True)


def vars_xml(inputs: RenderInputs) -> str:
    """Preprocessor variables: domain, bind addresses, NAT addresses (never STUN), codecs."""
    sip = inputs.model.sip
    settings = [
        ("domain", inputs.domain_value),
        ("domain_name", "$${domain}"),
        ("sound_prefix", SOUND_PREFIX),
        ("hold_music", "local_stream://moh"),
        ("global_codec_prefs", inputs.codec_prefs),
        ("outbound_codec_prefs", inputs.codec_prefs),
        ("internal_bind_ip", inputs.bind_address(sip.internal_ip)),
        ("internal_sip_port", str(sip.internal_port)),
        ("external_bind_ip", inputs.bind_address(sip.external_ip)),
        ("external_sip_port", str(sip.external_port)),
        # The public addresses behind NAT: an address or "auto". Never a STUN lookup: without
        # internet it makes sofia fail to load (no SIP at all).
        ("external_rtp_ip", sip.external_rtp_ip),
        ("external_sip_ip", sip.external_sip_ip),
        ("console_loglevel", "info"),
    ]
    children: list[Element | Comment] = [
        Comment("Preprocessor variables for the other files. No default password here:"
                " every password is generated into the center's data directory."),
    ]
    children.extend(preprocess("set", f"{name}={value}") for name, value in settings)
    return render_include(children, GENERATED)


def modules_conf(inputs: RenderInputs) -> str:
    """Exactly the modules a center uses; G.711 (PCMU/PCMA) is built into the core."""
    modules = [elem("load", [("module", name)]) for _, name in BASE_MODULES]
    if inputs.voicemail_used:
        modules.append(elem("load", [("module", "mod_voicemail")]))
    modules.extend(elem("load", [("module", name)]) for name in inputs.codec_modules)
    modules.extend(elem("load", [("module", name)]) for name in MEDIA_MODULES)
    modules.append(elem("load", [("module", "mod_say_en")]))
    root = elem("configuration", [("name", "modules.conf"), ("description", "Modules")],
                [elem("modules", [], modules)])
    return render_document(root, GENERATED)


def switch_conf(inputs: RenderInputs) -> str:
    """Core settings: session limits, log level and the RTP port range from center.toml."""
    sip = inputs.model.sip
    settings = [
        param("colorize-console", "true"),
        param("max-sessions", "1000"),
        param("sessions-per-second", "30"),
        param("loglevel", "info"),
        param("dump-cores", "no"),
        param("rtp-start-port", str(sip.rtp_start_port)),
        param("rtp-end-port", str(sip.rtp_end_port)),
    ]
    root = elem("configuration", [("name", "switch.conf"), ("description", "Core Configuration")],
                [elem("settings", [], settings)])
    return render_document(root, GENERATED)


def console_conf() -> str:
    """The console logger (what ``freeswitch -nc``/``-c`` shows)."""
    root = elem("configuration", [("name", "console.conf"), ("description", "Console Logger")], [
        elem("mappings", [], [
            elem("map", [("name", "all"),
                         ("value", "console,debug,info,notice,warning,err,crit,alert")]),
        ]),
        elem("settings", [], [
            param("colorize", "true"),
            param("loglevel", "$${console_loglevel}"),
        ]),
    ])
    return render_document(root, GENERATED)


def logfile_conf() -> str:
    """The file logger: ``freeswitch.log`` in the ``-log`` directory, rotated at 10 MB."""
    root = elem("configuration", [("name", "logfile.conf"), ("description", "File Logging")], [
        elem("settings", [], [param("rotate-on-hup", "true")]),
        elem("profiles", [], [
            elem("profile", [("name", "default")], [
                elem("settings", [], [
                    param("rollover", "10485760"),
                    param("maximum-rotate", "32"),
                    param("uuid", "true"),
                ]),
                elem("mappings", [], [
                    elem("map", [("name", "all"),
                                 ("value", "debug,info,notice,warning,err,crit,alert")]),
                ]),
            ]),
        ]),
    ])
    return render_document(root, GENERATED)


EVENT_SOCKET_ACL = "ccore_event_socket"


def event_socket_conf(inputs: RenderInputs) -> str:
    """The event socket ccore connects to: loopback only, generated password, loopback ACL."""
    switch = inputs.model.switch
    name = [("name", "event_socket.conf"), ("description", "Socket Client")]
    root = elem("configuration", name, [
        elem("settings", [], [
            param("nat-map", "false"),
            param("listen-ip", inputs.event_socket_listen_ip),
            param("listen-port", str(switch.port)),
            param("password", inputs.event_socket_password),
            param("apply-inbound-acl", EVENT_SOCKET_ACL),
            param("stop-on-bind-error", "true"),
        ]),
    ])
    return render_document(root, GENERATED)


def acl_conf() -> str:
    """Network lists: the event socket accepts loopback addresses only."""
    root = elem("configuration", [("name", "acl.conf"), ("description", "Network Lists")], [
        elem("network-lists", [], [
            elem("list", [("name", EVENT_SOCKET_ACL), ("default", "deny")], [
                elem("node", [("type", "allow"), ("cidr", "127.0.0.0/8")]),
                elem("node", [("type", "allow"), ("cidr", "::1/128")]),
            ]),
        ]),
    ])
    return render_document(root, GENERATED)


def local_stream_conf() -> str:
    """Music on hold for ``local_stream://moh`` (the freeswitch-music-default package's files)."""
    directories = []
    for rate in ("8000", "16000"):
        directories.append(elem("directory", [("name", f"moh/{rate}"),
                                              ("path", f"$${{sounds_dir}}/music/{rate}")], [
            param("rate", rate),
            param("shuffle", "true"),
            param("channels", "1"),
            param("interval", "20"),
            param("timer-name", "soft"),
        ]))
    root = elem("configuration", [("name", "local_stream.conf"),
                                  ("description", "stream files from local dir")], directories)
    return render_document(root, GENERATED)


def voicemail_conf() -> str:
    """mod_voicemail's one profile (``default``): messages recorded as wav, no web, no email."""
    settings = [
        param("file-extension", "wav"),
        param("terminator-key", "#"),
        param("max-login-attempts", "3"),
        param("digit-timeout", "10000"),
        param("min-record-len", "3"),
        param("max-record-len", "300"),
        param("max-retries", "3"),
        param("tone-spec", "%(1000, 0, 640)"),
        param("callback-dialplan", "XML"),
        param("callback-context", "default"),
        param("record-silence-threshold", "200"),
        param("record-silence-hits", "2"),
        param("db-password-override", "false"),
        param("allow-empty-password-auth", "false"),
    ]
    email = elem("email", [], [
        param("template-file", "voicemail.tpl"),
        param("notify-template-file", "notify-voicemail.tpl"),
        param("date-fmt", "%A, %B %d %Y, %I %M %p"),
        param("email-from", "${voicemail_account}@${voicemail_domain}"),
    ])
    root = elem("configuration", [("name", "voicemail.conf"), ("description", "Voicemail")], [
        elem("settings", []),
        elem("profiles", [], [elem("profile", [("name", "default")], [*settings, email])]),
    ])
    return render_document(root, GENERATED)


def _macro(name: str, *files: str, pattern: str = "^(.*)$") -> Element:
    actions = [elem("action", [("function", "play-file"), ("data", file)]) for file in files]
    return elem("macro", [("name", name)], [
        elem("input", [("pattern", pattern)], [elem("match", [], actions)]),
    ])


def language_en() -> str:
    """English: the say module, the sound prefix and the few voicemail phrases a caller hears."""
    macros = [
        _macro("voicemail_play_greeting", "voicemail/vm-person.wav",
               "voicemail/vm-not_available.wav"),
        _macro("voicemail_record_message", "voicemail/vm-record_message.wav"),
        _macro("voicemail_ack", "voicemail/vm-too-small.wav", pattern="^(too-small)$"),
        _macro("voicemail_goodbye", "voicemail/vm-goodbye.wav"),
    ]
    language = elem("language", [("name", "en"), ("say-module", "en"),
                                 ("sound-prefix", "$${sound_prefix}")], [
        elem("phrases", [], [elem("macros", [], macros)]),
    ])
    return render_include([language], GENERATED)
