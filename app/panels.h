#pragma once
// The studio's panels: free functions that draw the headless StudioModel with ImGui and call its actions.
// PanelState holds what only the window has: GL textures and the 3D view, widget state and the UI map.
#include <map>
#include <string>
#include <vector>

#include "app/folder_browser.h"
#include "app/image_texture.h"
#include "app/loss_plot.h"
#include "app/mesh_viewport.h"
#include "app/studio_layout.h"
#include "app/studio_model.h"
#include "app/ui_map.h"
#include "app/unavailable_controls.h"

namespace dibr::studio {

struct KeyPress {
  int key, mods;
};

// The Images panel's textures of one gallery image (GalleryImage::id), as of its result `generation`.
struct GalleryTextures {
  int id = 0, generation = -1;
  ImageTexture input, mask, turntable;
};

struct PanelState {
  UiMap ui;  // named control rectangles of this frame (screenshots, --ui-map)
  MeshViewport viewport;
  LossPlot loss_plot;
  bool chamfer_per_object = false;  // the Export panel's chamfer table: one row per object, else per class
  int chamfer_sort_column = 0;      // chamfer_table_rows' column
  bool chamfer_sort_ascending = true;
  FolderBrowser browser;
  std::vector<ImageTexture> textures;  // 4 per preview object: input, GT, predicted, difference
  std::vector<GalleryTextures> gallery_textures;
  std::map<std::string, ImageTexture> export_thumbnails;  // batch-export pictures by path, loaded when first shown
  int export_page = 0;                                     // the Export panel's page of pictures
  ImageTexture compare_grid;       // the last comparison's compare_grid.png
  std::string compare_grid_shown;  // the folder it was loaded from
  std::vector<ImageTexture> slice_textures;    // an implicit field's slice per preview object (or none)
  std::vector<ImageTexture> compare_textures;  // compared runs' silhouettes: [run * objects + object]
  std::string compare_textures_key;
  std::map<std::string, std::string> field_text;    // config fields being edited
  std::map<std::string, std::string> field_synced;  // the config value each field last showed
  std::map<std::string, std::string> field_error;   // why the last value entered in a field was refused
  std::vector<KeyPress> pending_keys;
  bool show_help = false, show_about = false, show_messages = false, quit_requested = false;
  LayoutSplits splits;             // the panel boundaries (dragged in the gaps between panels)
  bool maximise_viewport = false;  // the 3D view fills the window (F11, its Maximise button)
  float ui_scale = 0;              // View > UI scale's choice; 0: none (--ui-scale or the monitor's)
  std::string object_filter;       // the 3D view's object list: any val/test object whose id holds this text
  bool input_camera = false;       // the 3D view looks from the preview object's input camera, over its picture
  bool distance_colors = false;    // the 3D view colours prediction and GT points by their distance to each other
  float distance_scale = 0.05f;    // the distance shown red (kDefaultDistanceScale)
  std::string distance_summary;    // the two mean distances of the object on show, while distance_colors is on
  bool draw_less_while_training = true;  // View menu: cap frames at training_fps while training without input
  double training_fps = 10;
  double draw_share = 0, fps = 0;        // of the frames drawn over the last second (FramePacer)
  std::string plot_png_request;          // the loss plot is saved here after this frame is rendered
  UiRect plot_rect;                      // where the loss plot was drawn (window coordinates)

  void record(const std::string& name) { ui.record_last_item(name); }
  GalleryTextures* gallery_texture(int id) {
    for (auto& t : gallery_textures)
      if (t.id == id) return &t;
    return nullptr;
  }
};

void draw_menu_bar(StudioModel& model, PanelState& panel);
void draw_dataset_panel(StudioModel& model, PanelState& panel);
void draw_training_panel(StudioModel& model, PanelState& panel);
void draw_export_panel(StudioModel& model, PanelState& panel);
void draw_export_pictures_tab(StudioModel& model, PanelState& panel);  // the Export panel's Pictures tab
void draw_silhouette_panel(StudioModel& model, PanelState& panel);
void draw_loss_panel(StudioModel& model, PanelState& panel);
void draw_viewport_panel(StudioModel& model, PanelState& panel);
void draw_images_panel(StudioModel& model, PanelState& panel);
void draw_checkpoint_panel(StudioModel& model, PanelState& panel);
void draw_status_bar(StudioModel& model, PanelState& panel);
void draw_help_window(PanelState& panel);
void draw_about_window(PanelState& panel);
void draw_messages_window(StudioModel& model, PanelState& panel);
// The latest error of `action` (StudioModel::panel_error), wrapped in red where the panel calls it, with a button
// that dismisses it; nothing when there is none.
void draw_panel_error(StudioModel& model, PanelState& panel, const char* action);
// The last item's tooltip while it is greyed: why it cannot act (why_unavailable, or the panel's own reason); nothing
// when `why` is empty.
void unavailable_tooltip(const std::string& why);
// A button greyed while `why` is not empty, with `why` as its tooltip, recorded in the UI map as `control`; true when
// clicked. The form taking the model gets the reason from why_unavailable(model, control).
enum class ButtonSize { Normal, Small };
bool reasoned_button(PanelState& panel, const std::string& control, const char* label, const std::string& why,
                     ButtonSize size = ButtonSize::Normal);
bool reasoned_button(const StudioModel& model, PanelState& panel, const char* control, const char* label,
                     ButtonSize size = ButtonSize::Normal);
// Keys queued since the last frame (ignored while a text field is being edited).
void handle_shortcuts(StudioModel& model, PanelState& panel);

}  // namespace dibr::studio
