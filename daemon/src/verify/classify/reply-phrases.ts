/**
 * The kinds of wording real servers use, one pattern per kind. Each group quotes a few of the
 * replies it was written for; the corpus (corpus/replies.jsonl) holds hundreds more with their
 * sources. Patterns are read on the reply's whole text (every line), case-insensitive.
 */

/**
 * The server refuses US for who we are: our IP on a blocklist, our reverse DNS, our HELO, our
 * sender, our authentication (SPF, DKIM, DMARC), our reputation, relaying. A retry from the same
 * place gets the same answer, and the reply says nothing about the mailbox, whatever its code.
 *   554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org
 *   550 5.7.25 The IP address sending this message does not have a PTR record setup
 *   501 5.5.4 HELO/EHLO argument is invalid. https://support.google.com/mail/?p=helo
 *   421 4.7.0 IP not in whitelist for RCPT domain, closing connection.
 *   451 4.7.650 The mail server [192.0.2.5] has been temporarily rate limited due to IP reputation.
 *   550 5.1.1 <x@example.jp>: Sender address rejected: User unknown in local recipient table
 *   554 5.7.1 <kijitora@example.org>: Relay access denied
 */
export const ABOUT_US =
  new RegExp(
    [
      // blocklists
      String.raw`spamhaus|spamcop|barracuda|sorbs|spews|\bs?rbl\b|\bdnsbl|\brbl[- ]|block ?list|black ?list|blocked using|blocked by|listed (at|in|on|by)\b|\[bl\d\d\]|\bbl\d\d\b|cxbl|cdrbl`,
      // reverse DNS
      String.raw`reverse (dns|lookup|hostname|name)|\bptr\b|\brdns\b|invalid rdns|forward dns|(ip|host) (name )?(lookup )?does not resolve|cannot find your hostname|no (dns|hostname) (record )?for|resource record|invalid dns|(ip|host) ?name lookup failed|unverif[iy]able sending|dns check fail|dynamic ips?\b`,
      // our HELO
      String.raw`(invalid|bad|illegal|forged|wrong|unknown|empty) (helo|ehlo)|(helo|ehlo)(\/ehlo)? (argument|command rejected|name|hostname|host name|rejected|not allowed)|helo \/ ehlo requires|before greeting`,
      // our sender (MAIL FROM)
      String.raw`sender address|sender (account |domain )?(rejected|denied|refused|blocked|not allowed|invalid|is disabled|unknown|verify failed)|sending denied|emetteur invalide|unknown sender|domain of sender|sender domain|from domain|rfc\.?5321 (from )?domain|bad outbound sender|sender (is )?not (allowed|authenticated|in allowed)|sender was not authenticated|not a member of this (group|list)|email address is not verified|not subscribed to|verification fail|too many (invalid|bad|unknown) recipients|bounce attack`,
      // authentication
      String.raw`\bspf\b|\bdkim\b|\bdmarc\b|authenticat|sender policy framework|not authori[sz]ed to send|client was not authenticated|username and password|log in with your web browser|application-specific password|no identity changes`,
      // reputation, allowlists, bans, TLS demanded of us
      String.raw`reputation|sender ?score|not in (white|allow)list|(white|allow)list|banned send|\bbanned\b|(tls|starttls|encryption) (is )?required|must issue a starttls|customer block list|requires? (encryption|tls|high-strength)|over a tls connection|over ipv6`,
      // relaying: the server will not take this domain from us
      String.raw`\brelay(ing|ed)?\b(?! recipient)|gateway|not local host|open proxy|smtp server of your isp|allowed rcpthosts|not in my list of allowed|send mail directly to our servers`,
    ].join('|'),
    'i',
  );

/**
 * Greylisting, the one mechanism that really means "come back in a few minutes".
 *   450 4.2.0 <alice@greylist.test>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/greylist.test.html
 *   451 4.7.1 Greylisting in action, please come back later
 */
export const GREYLIST = /gr[ae]y-? ?list/i;

/**
 * The server's own storage or resources, not the mailbox (RFC 3463 X.3.1 "mail system full").
 *   452 4.3.1 Insufficient system storage
 */
export const SERVER_STORAGE = /insufficient (system )?(storage|resources)|system (storage|disk) (is )?full|mail system full|system full|disk full/i;

/**
 * The mailbox does not exist. Decisive: it beats a generic code (5.7.1, 5.5.0, 554).
 *   550 5.1.1 <nobody@valid.test>: Recipient address rejected: User unknown in virtual mailbox table
 *   550 5.7.1 Recipient not found
 *   554 delivery error: dd This user doesn't have a yahoo.com account (***@yahoo.com)
 *   550 sorry, no mailbox here by that name (#5.1.1 - chkusr)
 */
export const NOT_FOUND = new RegExp(
  [
    String.raw`user ?unknown|unknown (user|recipient|mailbox|address|account|local ?part|alias)|(no such|invalid|non-?existent|unknown or illegal) (user|mailbox|recipient|address|account|alias|person|local ?part)`,
    String.raw`(user|mailbox|recipient|address|account|addressee|destination)( address)? (was |is )?(not found|unknown|does ?n[o']?t exists?|not exists?|not listed|not valid|invalid)`,
    String.raw`does ?n[o']?t exist|do(es)? not have an? [\w. -]+ account|doesn'?t have an? [\w. -]+ account|no mailbox|no such|not our customer|unrouteable address|no longer on (this )?server|recipient no longer|undeliverable address|not (a )?(known|valid|local) (user|recipient|mailbox)|is not a valid mailbox|not listed in (the )?(public name|domino|directory)|invalid (final delivery )?userid|no valid recipients?|recipient unknown|bad destination (mailbox|email)|unknown_user|utilisateur inconnu|adresse (invalide|inconnue)|destinataire inconnu|unbekannt|existiert nicht|no existe|non esiste|ユーザー|user not local`,
  ].join('|'),
  'i',
);

/**
 * The mailbox exists but takes no mail: disabled, suspended, locked, expired.
 *   550 5.2.1 The email account that you tried to reach is disabled.
 *   554 30 Sorry, your message to *****@aol.jp cannot be delivered. This mailbox is disabled (554.30)
 *   550 5.5.0 Requested action not taken: account is blocked
 */
export const DISABLED =
  /disabled|deactivated|inactive|suspend|terminated|frozen|archived|discontinued|(account|mailbox|user|recipient) (is |has been )?(closed|locked|blocked|expired|cancell?ed)|(account|mailbox) (temporar(il)?y )?locked|temporary locked|no longer (active|in use|accepts mail|available|valid)|is no longer valid|not active|boite du destinataire archivee/i;

/**
 * The mailbox is full or over its quota.
 *   452 4.2.2 The email account that you tried to reach is over quota.
 *   552 5.1.1 <x@example.jp>... Mailbox is overquota
 */
export const FULL =
  /(?<!(daily|sending|message|submission|send|relay) )quota|disk ?space|enough space|storage limit|too (much|many) (mail|messages)|maximum (allowed )?(storage|size allowed for mail)|receiving limits?|(mailbox|mailfolder|inbox|mail ?box|mailbox size|box) (is |was )?(full|over|exceeded|exceeds|limit exceeded)|over ?quota|exceed(s|ed)? (the |its |their |allowed |his |her )?(storage|quota|mailbox|allowed size)|(out of|insufficient) (storage|disk) space|storage (quota|allocation|space)|too many messages in|number of messages in .* (mailbox|box) exceeded|mailbox (size )?limit|disk quota|full mailbox|boite (pleine|du destinataire pleine)|postfach voll/i;

/**
 * The command, not the address, was wrong: syntax, sequence, unknown verb.
 *   503 5.5.1 Error: need MAIL command
 *   502 5.5.2 Error: command not recognized
 */
export const SYNTAX =
  /syntax|bad sequence|sequence of commands|out of sequence|unrecogni[sz]ed command|command (not recogni[sz]ed|unrecogni[sz]ed|not implemented)|need (mail|rcpt|helo|ehlo)|send hello first|no commands allowed to pipeline|no data after bdat|line too long|improper sequence/i;

/**
 * A refusal whose wording is about policy or about the sending side, weaker than ABOUT_US: it is
 * read only after the mailbox phrases, so "Recipient not found" under a policy code still counts.
 *   550 Access from ip address 192.0.2.1 blocked.
 *   550 5.7.1 [CS01] Message rejected due to local policy.
 *   554 5.7.1 <x.example[192.0.2.1]:49309>: Client host rejected: #216 lpn LPN000_630
 */
export const POLICY =
  /client host|access denied|administrative(ly)? prohibit|polic(y|ies)|not (allowed|permitted|authori[sz]ed|accepted)|prohibited|spam|unsolicited|\b(your|sending|client|sender|originating|connecting|remote|the) (ip|host|server|domain|mta|network)\b|(?<![?&=\w])ip( address)?\b|too many|rate (limit|of)|limit(s)? (exceeded|reached)|exceeded .*limit|\babuse\b|denied|refused|blocked|\bbanned?\b|reject(ed)? (by|for|due|because)|not accepting|service (is )?unavailable|bulk|fraud|phish|virus|suspicious|threat|dos attack|security|transaction failed|message (rejected|refused|not accepted)|high probability|unauthori[sz]ed|forbidden|go away|no access|confirm this mail server|closing transmission channel|to submit messages|low priority|members-only|non-member|mailing list|organi[sz]ational settings|multiple addresses|protocol violation|nameserver query|refuse|restrict|protected by|preferences|user rules|only accepting|not accepting|user reject\b|filtered|mail rejected|rejete|protocol (error|violation)/i;

/**
 * The recipient's domain is unknown to the very server that receives its mail.
 *   550 5.1.2 <nekochan@libsisimai.org>... Host unknown (Name server: .: host not found)
 *   553 5.1.2 We weren't able to find the recipient domain.
 */
export const NO_DOMAIN = /host unknown|unknown host|domain (not found|does not exist|unknown)|invalid domain\b(?! name)|no such domain|recipient domain|unrouteable domain/i;

/** The domain takes no mail at all: 550 Host does not accept mail. */
export const ACCEPTS_NO_MAIL = /does not accept (e-?)?mail(?! over)|accepts no mail|nullmx/i;

/**
 * A fault of the server itself, not of the mailbox nor of us.
 *   550 5.0.0 <kijitora@example.or.jp>... Insufficient permission
 *   521 5.3.2 System not accepting network messages
 */
export const SERVER_FAULT = /insufficient permission|system (error|config)|configuration error|internal (server )?error|local error|mail system error|not accepting network messages|no space left on device/i;

/**
 * The address itself is malformed.
 *   501 5.1.3 Bad recipient address syntax
 */
export const ADDRESS_SYNTAX = /address syntax|syntax (error )?in (the )?(recipient|address)|invalid (recipient )?address format/i;

/**
 * Our IP named as such. Read on 5xx only, before the mailbox phrases ("Sending IP suspended" is not
 * a suspended mailbox); a 4xx naming our IP is a rate deferral ("451 too many errors from your ip").
 *   550 5.7.28 There is an unusual rate of unsolicited mail originating from your IP address. (Gmail)
 */
export const OUR_IP =
  /\b(your|sending|client|sender|originating|connecting|source) ip( address)?\b|\bip (address )?(source )?(is |has been )?(blocked|suspended|banned|listed|rejected|bloquee)/i;
