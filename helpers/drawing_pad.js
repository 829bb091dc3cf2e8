// The front end of helpers.drawing.DrawingPad (an anywidget module): a canvas to draw a digit on
// with the mouse or a finger, the 28x28 image the network sees, and its ten probabilities.
// It only shows things: the strokes go to Python, the notebook prepares them and calls the model.

const SEND_EVERY_MS = 120; // while drawing, send the strokes this often: live probability bars

function render({ model, el }) {
  const size = model.get("size");
  el.classList.add("mnist-pad");
  // Screen readers: the two canvases are named pictures, the answer is announced when it changes (a status),
  // the bars are a list that reads "7: 98%". Without a mouse or a touch screen, the upload button of the
  // notebook's next section asks the network about a photo of a digit; Clear is a button, reached with Tab.
  el.innerHTML = `
    <div class="mnist-pad-column">
      <canvas class="mnist-pad-canvas" width="${size}" height="${size}" role="img"
              aria-label="drawing area: draw one digit with the mouse or a finger"></canvas>
      <button type="button" class="mnist-pad-clear" aria-label="Clear the drawing">Clear</button>
      <div class="mnist-pad-hint">No mouse? Upload a photo of a digit in the next section.</div>
    </div>
    <div class="mnist-pad-column">
      <div class="mnist-pad-caption" aria-hidden="true">what the network sees (28×28)</div>
      <canvas class="mnist-pad-seen" width="28" height="28" role="img"
              aria-label="what the network sees: your drawing as a 28 by 28 image"></canvas>
    </div>
    <div class="mnist-pad-column">
      <div class="mnist-pad-prediction" data-digit="" role="status">Draw a digit</div>
      <div class="mnist-pad-bars" role="list" aria-label="the network's ten probabilities"></div>
    </div>`;
  const canvas = el.querySelector(".mnist-pad-canvas");
  const seen = el.querySelector(".mnist-pad-seen");
  const prediction = el.querySelector(".mnist-pad-prediction");
  const bars = el.querySelector(".mnist-pad-bars");
  const ctx = canvas.getContext("2d");

  const rows = [];
  for (let digit = 0; digit < 10; digit++) {
    const row = document.createElement("div");
    row.className = "mnist-pad-bar-row";
    row.setAttribute("role", "listitem");
    row.innerHTML = `<span class="mnist-pad-digit">${digit}</span>
      <span class="mnist-pad-track" aria-hidden="true"><span class="mnist-pad-bar"></span></span>
      <span class="mnist-pad-percent"></span>`;
    bars.appendChild(row);
    rows.push(row);
  }

  let strokes = structuredClone(model.get("strokes"));
  let drawing = false;
  let lastSent = 0;

  function paint() {
    ctx.fillStyle = "white";
    ctx.fillRect(0, 0, size, size);
    ctx.strokeStyle = "black";
    ctx.fillStyle = "black";
    ctx.lineWidth = model.get("pen");
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    for (const stroke of strokes) {
      if (stroke.length === 1) { // a dot
        ctx.beginPath();
        ctx.arc(stroke[0][0], stroke[0][1], model.get("pen") / 2, 0, 2 * Math.PI);
        ctx.fill();
        continue;
      }
      ctx.beginPath();
      ctx.moveTo(stroke[0][0], stroke[0][1]);
      for (const [x, y] of stroke.slice(1)) ctx.lineTo(x, y);
      ctx.stroke();
    }
  }

  function send() {
    lastSent = Date.now();
    model.set("strokes", structuredClone(strokes));
    model.save_changes();
  }

  function point(event) { // canvas pixels, whatever size the page shows the canvas at
    const box = canvas.getBoundingClientRect();
    return [Math.round((event.clientX - box.left) * size / box.width * 10) / 10,
            Math.round((event.clientY - box.top) * size / box.height * 10) / 10];
  }

  canvas.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    drawing = true;
    strokes.push([point(event)]);
    paint();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    strokes[strokes.length - 1].push(point(event));
    paint();
    if (Date.now() - lastSent > SEND_EVERY_MS) send();
  });
  for (const type of ["pointerup", "pointercancel"]) {
    canvas.addEventListener(type, () => {
      if (!drawing) return;
      drawing = false;
      send();
    });
  }
  el.querySelector(".mnist-pad-clear").addEventListener("click", () => {
    strokes = [];
    paint();
    send();
  });

  function showSeen() {
    const values = model.get("seen");
    const seenCtx = seen.getContext("2d");
    const image = seenCtx.createImageData(28, 28);
    for (let i = 0; i < 28 * 28; i++) {
      const grey = values.length === 784 ? Math.round(255 * (1 - values[i])) : 255; // ink dark, as in the plots
      image.data.set([grey, grey, grey, 255], 4 * i);
    }
    seenCtx.putImageData(image, 0, 0);
  }

  function showProbabilities() {
    const probabilities = model.get("probabilities");
    const best = probabilities.length === 10 ? probabilities.indexOf(Math.max(...probabilities)) : -1;
    rows.forEach((row, digit) => {
      const p = best >= 0 ? probabilities[digit] : 0;
      row.querySelector(".mnist-pad-bar").style.width = `${(100 * p).toFixed(1)}%`;
      row.querySelector(".mnist-pad-percent").textContent = best >= 0 ? `${(100 * p).toFixed(0)}%` : "";
      row.setAttribute("aria-label", best >= 0 ? `${digit}: ${(100 * p).toFixed(0)}%` : `${digit}: no answer yet`);
      row.classList.toggle("mnist-pad-best", digit === best);
    });
    prediction.dataset.digit = best >= 0 ? String(best) : "";
    prediction.textContent = best >= 0
      ? `It reads ${best} (${(100 * probabilities[best]).toFixed(0)}%)`
      : "Draw a digit";
  }

  model.on("change:strokes", () => {
    if (drawing) return; // our own update while the pen is down
    strokes = structuredClone(model.get("strokes"));
    paint();
  });
  model.on("change:seen", showSeen);
  model.on("change:probabilities", showProbabilities);
  paint();
  showSeen();
  showProbabilities();
}

export default { render };
