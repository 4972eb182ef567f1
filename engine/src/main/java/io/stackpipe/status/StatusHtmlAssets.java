package io.stackpipe.status;

/** The inline style and script of {@link StatusHtml}'s page: no external asset, so the page works offline. */
final class StatusHtmlAssets {
  private StatusHtmlAssets() {}

  // Colours meet WCAG AA contrast on white (checked: text #1a1a1a, links/buttons #0b4f8a, drift reds/ambers dark).
  static final String CSS = """
      .sp-status{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#fff;margin:0 auto;max-width:1400px;padding:8px 16px}
      .sp-status h1{font-size:1.4em;margin:.4em 0}.sp-status h1 small{font-size:.6em;font-weight:normal;color:#444}
      .sp-status h2{font-size:1.15em;margin:1.2em 0 .4em}
      .sp-table{border-collapse:collapse;width:100%;margin:.3em 0}
      .sp-table caption{text-align:left;color:#444;padding:.2em 0;font-size:.9em}
      .sp-table th,.sp-table td{border-bottom:1px solid #d0d0d0;padding:4px 8px;text-align:left;vertical-align:top}
      .sp-table thead th{background:#eef2f6;position:sticky;top:0}
      .sp-table th button{font:inherit;font-weight:bold;background:none;border:0;color:#0b4f8a;cursor:pointer;padding:0}
      .sp-table th[aria-sort=ascending] button::after{content:" ▲"}.sp-table th[aria-sort=descending] button::after{content:" ▼"}
      .sp-status button:focus-visible,.sp-status input:focus-visible{outline:3px solid #0b4f8a;outline-offset:2px}
      .sp-expand{background:#eef2f6;border:1px solid #8a99a8;border-radius:3px;color:#1a1a1a;cursor:pointer;width:1.8em}
      .sp-expand[aria-expanded=true]{transform:none}
      .sp-detail>td{background:#f7f9fb;padding-left:2em}
      .sp-services{width:auto;min-width:60%}
      .sp-drift{font-weight:bold}
      .sp-drift-ahead{background:#e6f0ff;color:#08306b}.sp-drift-behind{background:#fff0d9;color:#6b3a00}
      .sp-drift-missing{background:#fde4e4;color:#7a0c0c}.sp-drift-extra{background:#efe6fa;color:#46166b}
      td.sp-drift-summary{background:#fff5e0;color:#6b3a00;font-weight:bold}.sp-sync{color:#135e22}
      .sp-stack>tr>th[scope=row]{white-space:nowrap}#sp-l3-services{width:auto;min-width:30%}
      .sp-verdict-failed,.sp-verdict-rejected{color:#9a1111;font-weight:bold}.sp-verdict-promoted,.sp-verdict-passed{color:#135e22}
      .sp-filters{display:flex;flex-wrap:wrap;gap:12px;align-items:center;margin:.6em 0}
      .sp-filters input{font:inherit;padding:3px 6px;border:1px solid #6b7785;border-radius:3px}
      .sp-prod{padding-left:1.2em}.sp-prod .sp-drift{display:inline-block;padding:1px 6px;margin:1px;border-radius:3px}
      .sp-status code{font-size:.95em}.sp-dim th,.sp-dim td{color:#555;font-weight:normal}
      """;

  // Sorting (per table, tbodies move as wholes so a stack keeps its services row), filtering (AND of the three
  // filters; state kept in the URL hash so the periodic reload keeps it), expanding, relative times.
  static final String SCRIPT = """
      (function(){
      var root=document.querySelector('.sp-status');
      root.querySelector('form.sp-filters').addEventListener('submit',function(e){e.preventDefault();});
      function units(s){var u=[[86400,'d'],[3600,'h'],[60,'m'],[1,'s']],o='';
        if(s>=86400)s-=s%3600;else if(s>=3600)s-=s%60;
        for(var i=0;i<u.length;i++){if(s>=u[i][0]){o+=Math.floor(s/u[i][0])+u[i][1];s%=u[i][0];}}return o||'0s';}
      function rel(iso){var d=Math.round((Date.now()-Date.parse(iso))/1000);
        if(Math.abs(d)<1)return 'now';return d<0?'in '+units(-d):units(d)+' ago';}
      function times(){root.querySelectorAll('time[datetime]').forEach(function(t){t.textContent=rel(t.getAttribute('datetime'));});}
      function key(cell,type){var v=cell?(cell.getAttribute('data-sort')||cell.textContent.trim()):'';
        return type==='number'?parseFloat(v):v.toLowerCase();}
      function sort(table,col,dir){
        var th=table.tHead.rows[0].cells[col],type=th.getAttribute('data-type');
        Array.prototype.forEach.call(table.tHead.rows[0].cells,function(c){c.setAttribute('aria-sort','none');});
        th.setAttribute('aria-sort',dir>0?'ascending':'descending');
        var groups=table.tBodies.length>1?Array.prototype.slice.call(table.tBodies):Array.prototype.slice.call(table.tBodies[0].rows);
        groups.sort(function(a,b){var ra=a.rows?a.rows[0]:a,rb=b.rows?b.rows[0]:b;
          var x=key(ra.cells[col],type),y=key(rb.cells[col],type);return (x<y?-1:x>y?1:0)*dir;});
        var parent=table.tBodies.length>1?table:table.tBodies[0];
        groups.forEach(function(g){parent.appendChild(g);});
      }
      root.querySelectorAll('table.sp-sortable').forEach(function(table){
        table.tHead.querySelectorAll('th button').forEach(function(b){b.addEventListener('click',function(){
          var th=b.parentNode,dir=th.getAttribute('aria-sort')==='ascending'?-1:1;
          sort(table,parseInt(b.getAttribute('data-col'),10),dir);save();});});
      });
      root.querySelectorAll('button.sp-expand').forEach(function(b){b.addEventListener('click',function(){
        var open=b.getAttribute('aria-expanded')!=='true';b.setAttribute('aria-expanded',String(open));
        b.textContent=open?'▾':'▸';document.getElementById(b.getAttribute('aria-controls')).hidden=!open;save();});});
      var inputs=root.querySelectorAll('input[data-filter]');
      function matches(v,f){return !f||(v||'').toLowerCase().indexOf(f)>=0;}
      function apply(){
        var f={};inputs.forEach(function(i){f[i.getAttribute('data-filter')]=i.value.trim().toLowerCase();});
        var shown=0,all=root.querySelectorAll('tbody.sp-stack');
        all.forEach(function(tb){
          var ok=matches(tb.getAttribute('data-owner'),f.owner)&&matches(tb.getAttribute('data-stack'),f.stack)
            &&(!f.service||tb.getAttribute('data-services').split(' ').some(function(s){return matches(s,f.service);}));
          tb.hidden=!ok;if(ok)shown++;
          tb.querySelectorAll('tr[data-service]').forEach(function(r){r.classList.toggle('sp-dim',!!f.service&&!matches(r.getAttribute('data-service'),f.service));});
        });
        root.querySelectorAll('#sp-candidates-table tbody tr').forEach(function(r){r.hidden=!matches(r.getAttribute('data-service'),f.service);});
        var out=root.querySelector('#sp-count');if(out)out.textContent=shown+' of '+all.length+' stacks shown';
      }
      function save(){var s=[];inputs.forEach(function(i){if(i.value)s.push(i.getAttribute('data-filter')+'='+encodeURIComponent(i.value));});
        root.querySelectorAll('button.sp-expand[aria-expanded=true]').forEach(function(b){s.push('open='+encodeURIComponent(b.getAttribute('aria-controls')));});
        var th=root.querySelector('#sp-stacks-table th[aria-sort=ascending],#sp-stacks-table th[aria-sort=descending]');
        if(th)s.push('sort='+th.cellIndex+(th.getAttribute('aria-sort')==='ascending'?'a':'d'));
        try{history.replaceState(null,'',s.length?'#'+s.join('&'):location.pathname+location.search);}catch(e){}}
      function restore(){location.hash.replace(/^#/,'').split('&').forEach(function(p){
        var kv=p.split('='),v=decodeURIComponent(kv[1]||'');if(!kv[0])return;
        if(kv[0]==='open'){var b=root.querySelector('button[aria-controls="'+v+'"]');if(b)b.click();}
        else if(kv[0]==='sort'){var t=root.querySelector('#sp-stacks-table');if(t)sort(t,parseInt(v,10),v.slice(-1)==='a'?1:-1);}
        else{var i=root.querySelector('input[data-filter="'+kv[0]+'"]');if(i)i.value=v;}});}
      inputs.forEach(function(i){i.addEventListener('input',function(){apply();save();});});
      restore();apply();times();setInterval(times,30000);
      var every=parseInt(root.getAttribute('data-refresh'),10);
      if(every>0)setTimeout(function(){location.reload();},every*1000);
      })();
      """;
}
