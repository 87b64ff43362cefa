// dibr_x11_drop WINDOW_ID PATH [PATH...]: drags and drops files onto a window the way a file manager does,
// over the XDND protocol (version 5), so a test can exercise the app's drop callback with real X events
// (Xvfb runs no window manager, and xdotool has no drag and drop).
//
// The source is an unmapped window of ours that owns XdndSelection. The drag offers text/uri-list (in the
// XdndEnter message itself, no XdndTypeList needed), hovers at the centre of the target window proposing
// XdndActionCopy, waits for an accepting XdndStatus, drops, serves the SelectionRequest with a file:// URI
// list (absolute paths, percent-encoded, "\r\n" line ends) and waits for XdndFinished.
// Exit codes: 0 dropped and finished, 1 refused / timed out / X error, 2 usage.
#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <sys/select.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace {

constexpr long kXdndVersion = 5;
constexpr double kTimeoutS = 10.0;

const char* g_window_arg = "";
int g_x_error = 0;

int on_x_error(Display* display, XErrorEvent* error) {
  char text[256] = "";
  XGetErrorText(display, error->error_code, text, sizeof text);
  std::fprintf(stderr, "dibr_x11_drop: X error on window %s: %s (request %d)\n", g_window_arg, text,
               error->request_code);
  g_x_error = error->error_code;
  return 0;
}

// file:// URI of an absolute path: bytes outside RFC 3986's unreserved set and '/' become %XX.
std::string file_uri(const std::string& path) {
  static const char hex[] = "0123456789ABCDEF";
  std::string uri = "file://";
  for (const unsigned char c : path) {
    const bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '.' || c == '_' || c == '~' || c == '/';
    if (keep) {
      uri += static_cast<char>(c);
    } else {
      uri += '%';
      uri += hex[c >> 4];
      uri += hex[c & 15];
    }
  }
  return uri;
}

struct Drag {
  Display* display = nullptr;
  Window root = None;
  Window source = None;
  Window target = None;
  Time time = CurrentTime;
  std::string uri_list;
  Atom XdndAware, XdndSelection, XdndEnter, XdndPosition, XdndStatus, XdndLeave, XdndDrop, XdndFinished,
      XdndActionCopy, uri_list_type, TARGETS;

  void send(Atom type, long l1, long l2, long l3, long l4) {
    XEvent event{};
    event.xclient.type = ClientMessage;
    event.xclient.window = target;
    event.xclient.message_type = type;
    event.xclient.format = 32;
    event.xclient.data.l[0] = static_cast<long>(source);
    event.xclient.data.l[1] = l1;
    event.xclient.data.l[2] = l2;
    event.xclient.data.l[3] = l3;
    event.xclient.data.l[4] = l4;
    XSendEvent(display, target, False, NoEventMask, &event);
    XFlush(display);
  }

  void leave() { send(XdndLeave, 0, 0, 0, 0); }

  // Answers a conversion of XdndSelection: text/uri-list gets the list, TARGETS what we offer, anything
  // else (or a request for a selection we do not own) property None, i.e. refused.
  void serve(const XSelectionRequestEvent& request) {
    XEvent reply{};
    reply.xselection.type = SelectionNotify;
    reply.xselection.requestor = request.requestor;
    reply.xselection.selection = request.selection;
    reply.xselection.target = request.target;
    reply.xselection.time = request.time;
    reply.xselection.property = None;
    // Obsolete requestors pass property None: the target's name is then the property to use (ICCCM 2.2).
    const Atom property = request.property != None ? request.property : request.target;
    if (request.selection == XdndSelection && request.owner == source) {
      if (request.target == uri_list_type) {
        // GLFW reads the property back asking for the target's type, so the type must be text/uri-list.
        XChangeProperty(display, request.requestor, property, uri_list_type, 8, PropModeReplace,
                        reinterpret_cast<const unsigned char*>(uri_list.data()),
                        static_cast<int>(uri_list.size()));
        reply.xselection.property = property;
      } else if (request.target == TARGETS) {
        const Atom offered[] = {TARGETS, uri_list_type};
        XChangeProperty(display, request.requestor, property, XA_ATOM, 32, PropModeReplace,
                        reinterpret_cast<const unsigned char*>(offered), 2);
        reply.xselection.property = property;
      } else {
        char* name = XGetAtomName(display, request.target);
        std::fprintf(stderr, "dibr_x11_drop: refusing a conversion to '%s' (only text/uri-list and TARGETS)\n",
                     name ? name : "?");
        if (name) XFree(name);
      }
    }
    XSendEvent(display, request.requestor, False, NoEventMask, &reply);
    XFlush(display);
  }

  // Waits for the next XdndStatus (want == XdndStatus) or XdndFinished from the target, serving selection
  // requests meanwhile. False on timeout.
  bool wait_for(Atom want, XClientMessageEvent* out) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(kTimeoutS);
    const int fd = ConnectionNumber(display);
    for (;;) {
      while (XPending(display) > 0) {
        XEvent event;
        XNextEvent(display, &event);
        if (event.type == SelectionRequest) {
          serve(event.xselectionrequest);
        } else if (event.type == SelectionClear && event.xselectionclear.selection == XdndSelection) {
          std::fprintf(stderr, "dibr_x11_drop: another client took XdndSelection during the drag\n");
        } else if (event.type == ClientMessage && event.xclient.message_type == want &&
                   static_cast<Window>(event.xclient.data.l[0]) == target) {
          *out = event.xclient;
          return true;
        }
      }
      const auto left = deadline - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero()) return false;
      const auto us = std::chrono::duration_cast<std::chrono::microseconds>(left).count();
      timeval tv{static_cast<time_t>(us / 1000000), static_cast<suseconds_t>(us % 1000000)};
      fd_set fds;
      FD_ZERO(&fds);
      FD_SET(fd, &fds);
      select(fd + 1, &fds, nullptr, nullptr, &tv);
    }
  }

  // A real server timestamp (selection ownership and XDND messages should not use CurrentTime): the time
  // of the PropertyNotify that a zero-length append to one of our own properties produces.
  Time server_time() {
    const Atom stamp = XInternAtom(display, "DIBR_X11_DROP_TIMESTAMP", False);
    XChangeProperty(display, source, stamp, XA_STRING, 8, PropModeAppend, nullptr, 0);
    XFlush(display);
    XEvent event;
    XWindowEvent(display, source, PropertyChangeMask, &event);
    return event.xproperty.time;
  }
};

// Closes the connection before exiting (XCloseDisplay waits until the server has our last messages: an
// XdndLeave, say) and reports the failure.
//
// With keep_source, the source window outlives us (until the X server resets: harmless under Xvfb). That is
// for timeouts: a target that answers late (stopped, busy) would then send its XdndStatus / XdndFinished to
// a window that no longer exists, and GLFW sends those under Xlib's default error handler, which exits the
// app on the BadWindow; the failure should stay ours, not become a crash of the app under test.
int fail(Drag& drag, const char* message, bool keep_source = false) {
  if (keep_source) XSetCloseDownMode(drag.display, RetainTemporary);
  XCloseDisplay(drag.display);
  std::fprintf(stderr, "dibr_x11_drop: %s\n", message);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: dibr_x11_drop WINDOW_ID PATH [PATH...]\n");
    return 2;
  }
  g_window_arg = argv[1];
  char* end = nullptr;
  const unsigned long window_id = std::strtoul(argv[1], &end, 0);
  if (!*argv[1] || *end || window_id == 0) {
    std::fprintf(stderr, "dibr_x11_drop: bad window id '%s' (decimal, or 0x hex)\n", argv[1]);
    return 2;
  }

  Drag drag;
  for (int i = 2; i < argc; ++i) {
    std::filesystem::path path(argv[i]);
    if (path.empty()) {
      std::fprintf(stderr, "dibr_x11_drop: empty path\n");
      return 2;
    }
    if (path.is_relative()) path = std::filesystem::absolute(path).lexically_normal();
    drag.uri_list += file_uri(path.string()) + "\r\n";
  }

  Display* display = XOpenDisplay(nullptr);
  if (!display) {
    std::fprintf(stderr, "dibr_x11_drop: cannot open display '%s'\n", std::getenv("DISPLAY") ? std::getenv("DISPLAY") : "");
    return 1;
  }
  XSetErrorHandler(on_x_error);
  drag.display = display;
  drag.root = DefaultRootWindow(display);
  drag.target = static_cast<Window>(window_id);
  drag.XdndAware = XInternAtom(display, "XdndAware", False);
  drag.XdndSelection = XInternAtom(display, "XdndSelection", False);
  drag.XdndEnter = XInternAtom(display, "XdndEnter", False);
  drag.XdndPosition = XInternAtom(display, "XdndPosition", False);
  drag.XdndStatus = XInternAtom(display, "XdndStatus", False);
  drag.XdndLeave = XInternAtom(display, "XdndLeave", False);
  drag.XdndDrop = XInternAtom(display, "XdndDrop", False);
  drag.XdndFinished = XInternAtom(display, "XdndFinished", False);
  drag.XdndActionCopy = XInternAtom(display, "XdndActionCopy", False);
  drag.uri_list_type = XInternAtom(display, "text/uri-list", False);
  drag.TARGETS = XInternAtom(display, "TARGETS", False);

  // The list goes in one property write: no INCR transfers.
  const long max_bytes = (XExtendedMaxRequestSize(display) ? XExtendedMaxRequestSize(display)
                                                            : XMaxRequestSize(display)) * 4 - 64;
  if (static_cast<long>(drag.uri_list.size()) > max_bytes) return fail(drag, "URI list too long for one X request");

  // The target: where it is, and whether it speaks XDND (GLFW marks its top-level window XdndAware).
  XWindowAttributes attributes;
  if (!XGetWindowAttributes(display, drag.target, &attributes) || g_x_error) {
    std::fprintf(stderr, "dibr_x11_drop: no window %s on this display\n", argv[1]);
    return 1;
  }
  Atom aware_type = None;
  int aware_format = 0;
  unsigned long aware_count = 0, aware_after = 0;
  unsigned char* aware_data = nullptr;
  XGetWindowProperty(display, drag.target, drag.XdndAware, 0, 1, False, XA_ATOM, &aware_type, &aware_format,
                     &aware_count, &aware_after, &aware_data);
  if (aware_type != XA_ATOM || aware_format != 32 || aware_count < 1) {
    if (aware_data) XFree(aware_data);
    std::fprintf(stderr, "dibr_x11_drop: window %s has no XdndAware property: it accepts no drops\n", argv[1]);
    return 1;
  }
  const long target_version = static_cast<long>(*reinterpret_cast<Atom*>(aware_data));
  XFree(aware_data);
  if (target_version < 3) {
    std::fprintf(stderr, "dibr_x11_drop: window %s speaks XDND version %ld, this tool needs 3 or later\n", argv[1],
                 target_version);
    return 1;
  }
  const long version = target_version < kXdndVersion ? target_version : kXdndVersion;
  int centre_x = 0, centre_y = 0;
  Window child = None;
  XTranslateCoordinates(display, drag.target, drag.root, attributes.width / 2, attributes.height / 2, &centre_x,
                        &centre_y, &child);

  // Our source window: never mapped, it only owns the selection and receives the target's replies.
  XSetWindowAttributes source_attributes{};
  source_attributes.event_mask = PropertyChangeMask;
  drag.source = XCreateWindow(display, drag.root, -10, -10, 1, 1, 0, CopyFromParent, InputOnly, CopyFromParent,
                              CWEventMask, &source_attributes);
  XChangeProperty(display, drag.source, drag.XdndAware, XA_ATOM, 32, PropModeReplace,
                  reinterpret_cast<const unsigned char*>(&kXdndVersion), 1);
  drag.time = drag.server_time();
  XSetSelectionOwner(display, drag.XdndSelection, drag.source, drag.time);
  if (XGetSelectionOwner(display, drag.XdndSelection) != drag.source) return fail(drag, "could not own XdndSelection");

  // Enter (types in the message: bit 0 of l[1] clear), hover at the centre proposing a copy.
  drag.send(drag.XdndEnter, version << 24, static_cast<long>(drag.uri_list_type), None, None);
  drag.send(drag.XdndPosition, 0, (static_cast<long>(centre_x) << 16) | (centre_y & 0xffff),
            static_cast<long>(drag.time), static_cast<long>(drag.XdndActionCopy));
  XClientMessageEvent status{};
  if (!drag.wait_for(drag.XdndStatus, &status)) {
    drag.leave();
    return fail(drag, "no XdndStatus from the target within 10 s (is its event loop running?)", true);
  }
  if (!(status.data.l[1] & 1)) {
    drag.leave();
    return fail(drag, "the target refused the drag (XdndStatus without the accept bit): text/uri-list not wanted?");
  }

  // Drop; the target converts XdndSelection to text/uri-list (served inside wait_for), then finishes.
  drag.send(drag.XdndDrop, 0, static_cast<long>(drag.time), 0, 0);
  XClientMessageEvent finished{};
  if (!drag.wait_for(drag.XdndFinished, &finished))
    return fail(drag, "no XdndFinished from the target within 10 s of XdndDrop (did it ask for the data?)", true);
  // XDND says bit 0 of l[1] means success; GLFW (3.3 and later) puts the byte count of the list it read
  // there instead, so any non-zero value is success and zero is a refusal.
  if (finished.data.l[1] == 0) return fail(drag, "the target refused the drop (XdndFinished reports failure)");

  XDestroyWindow(display, drag.source);
  XCloseDisplay(display);
  if (g_x_error) return 1;
  return 0;
}
